"""The first consent-to-treatment text, in plain words written for Prolo from the facts in
docs/clinical-facts.md. The clinic edits it in setup, which publishes a new version."""

from django.db import migrations
from django.utils import timezone

CONSENT_TEXT = """\
What I am agreeing to

Prolotherapy is a course of injections, given a few weeks apart. Each injection puts a mild \
irritant, usually a strong sugar (dextrose) solution, often mixed with a local anaesthetic, where a \
ligament or tendon meets the bone, or into a joint. The short, local inflammation it causes is \
meant to start repair. Most people need several sessions, and how many depends on how I respond.

What I can expect:
- Soreness and stiffness for a few days after each session is common and expected. Bruising can \
happen. Paracetamol (acetaminophen) helps; I should avoid anti-inflammatory painkillers such as \
ibuprofen around my sessions, as the clinic tells me.
- Many people feel the first relief after about two weeks, and most of the benefit at four to six \
weeks. It does not help everyone, and no result is promised.
- Serious problems are rare. They are mostly linked to the needle, and mostly after injections near \
the spine: a bad headache, shortness of breath, chest pain, or damage to a nerve.

I will call the clinic at once, or get urgent care, if I have a fever above 38 °C (100.4 °F), \
redness, warmth or swelling that spreads, fluid coming from an injection site, pain that gets worse \
after two or three days instead of better, burning pain, numbness or weakness in the limb, or if I \
feel generally unwell.

I have told the clinic, and will tell them if anything changes: the medicines I take (blood \
thinners above all), my allergies (for example to corn or dextrose, local anaesthetics, latex or \
fish), whether I am or may be pregnant, whether I have diabetes, an infection, or a prosthetic joint \
or heart valve.

I have been able to ask questions. I may stop the treatment at any time, and I may ask the \
practitioner about other treatments.
"""


def seed(apps, schema_editor):
    ConsentText = apps.get_model("patients", "ConsentText")
    # Idempotent (tests/seeds.py runs it again): only when no version exists yet.
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, text=CONSENT_TEXT, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("patients", "0007_intake_consent")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
