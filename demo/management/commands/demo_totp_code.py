"""manage.py demo_totp_code: the demo head office's current TOTP code (development only)."""

import time
from binascii import unhexlify

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from .seed_demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the code the demo head office's authenticator shows now (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "DEBUG 未开启:演示验证码只用于开发演示。 / DEBUG is off: demo codes are for "
                "the development demo only."
            )
        totp = TOTP(unhexlify(DEMO_TOTP_KEY))
        totp.time = time.time()
        left = 30 - int(totp.time) % 30
        self.stdout.write(f"{totp.token():06d}  ({left} 秒内有效 / valid {left} s)")
