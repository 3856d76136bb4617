from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        # The visit photos are a layer of a village's map: archives draws what it is given.
        from archives.maps import MapLayer, register_village_layer

        register_village_layer(
            MapLayer(
                key="photos",
                label=_("Visit photos"),
                url_name="assessment:village_photo_points",
                marker="photo",
            )
        )
