"""manage.py make_photo_copies: make the copy shown and the thumbnail of photos stored without them.

Photos uploaded since the copies are made at upload have them already. Run once after
upgrading (docs/deployment.md); it can be run again, and interrupted: each photo is
done on its own, and a photo already done is skipped. A photo whose file is missing
or unreadable is reported and left; its page answers 404 for it, as before.
"""

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils.translation import gettext as _

from assessment import fieldwork
from assessment.models import Photo


class Command(BaseCommand):
    help = "Make the shown copy and the thumbnail of every photo stored without them."

    def handle(self, *args, **options):
        missing = Photo.objects.filter(Q(served="") | Q(thumbnail="")).order_by("pk")
        made = failed = 0
        for photo in missing.iterator(chunk_size=200):
            try:
                made += fieldwork.make_copies(photo)
            except OSError as error:  # missing or damaged file
                failed += 1
                self.stderr.write(
                    _("Photo %(pk)s (%(name)s): %(error)s")
                    % {"pk": photo.pk, "name": photo.image.name, "error": error}
                )
        self.stdout.write(
            _("Copies made for %(made)d photos; %(failed)d could not be read.")
            % {"made": made, "failed": failed}
        )
