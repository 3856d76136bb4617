"""What the archive tells the floors above about writes that send no model signal.

Bulk writes (the archive and balance imports) bypass `post_save`; after one commits its
customers to the database it sends `customers_written` with the ids of their villages,
so that figures kept above (classification's per-branch figures) know what changed.
"""

from django.dispatch import Signal

# Sent with village_ids: a set of the written customers' village ids.
customers_written = Signal()
