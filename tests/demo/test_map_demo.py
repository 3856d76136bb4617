"""seed_demo puts the demo county on the map: customers and visit photos around their villages."""

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from archives.models import Customer, Village
from assessment.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo_county, db, settings):
    demo_county.use(settings)


def test_most_customers_have_a_position_near_their_village(seeded):
    customers = Customer.objects.filter(village__latitude__isnull=False)
    placed = customers.filter(latitude__isnull=False)
    assert 0.8 <= placed.count() / customers.count() <= 0.95
    # Within about a kilometre and a half of the village's centre.
    far = placed.annotate(
        dlat=F("latitude") - F("village__latitude"), dlon=F("longitude") - F("village__longitude")
    ).exclude(dlat__range=(-0.012, 0.012), dlon__range=(-0.015, 0.015))
    assert not far.exists()
    assert not placed.filter(located_at__isnull=True).exists()


def test_visit_photos_were_taken_near_the_villages_their_day_claims(seeded):
    photo = Photo.objects.filter(latitude__isnull=False).select_related("field_day").first()
    centres = [
        (v.latitude, v.longitude) for v in photo.field_day.villages.all() if v.latitude is not None
    ]
    assert any(
        abs(photo.latitude - lat) < 0.02 and abs(photo.longitude - lon) < 0.02
        for lat, lon in centres
    )


def test_a_managers_village_map_has_points(seeded):
    village = Village.objects.filter(owners__isnull=False, customers__isnull=False).first()
    client = Client()
    client.force_login(village.owners.first())
    response = client.get(reverse("archives:village_map_customers", args=[village.pk]))
    assert len(response.json()["points"]) >= 1
    photos = client.get(reverse("assessment:village_photo_points", args=[village.pk]))
    assert photos.status_code == 200
