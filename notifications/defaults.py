"""The clinic's starting words for every message, loaded into MessageTemplate by a data migration
and editable in the admin afterwards. Written in plain language for this product.

Privacy: a message can be read by anyone who sees the patient's phone, so these name the clinic,
the day and the time, never a condition, a treatment detail or a body part. Details sit behind the
portal link. The context offers nothing else (see notifications/rendering.py)."""

# Variables every template may use; the admin form lists them.
CONTEXT_HELP = (
    "clinic_name, clinic_phone, clinic_email, first_name, when, day, time, location, address, "
    "session_number, session_count, dates (list), weeks, nsaid_pause_days, nsaid_after, ice_advice, "
    "old_when (change notices: the time the patient knew), short_dates (list, texts: at most four "
    "short dates), more_dates (how many dates short_dates leaves out), "
    "practitioner (confirmations: who the patient will see), by_patient (a move notice: the patient "
    "moved it themselves), short_url (texts: their one link, into the portal), portal_url, confirm_url, "
    "cancel_url, before_url, checkin_url, aftercare_url, offer_url (a waitlist offer: its own page), "
    "unsubscribe_url, amount, paid_on, method (payment receipts), "
    "sessions_left, expires_on (package expiry notices)"
)

_SESSION = "{% if session_number %} (session {{ session_number }}{% if session_count %} of {{ session_count }}{% endif %}){% endif %}"  # noqa: E501

# What the patient comes for: a session of their series, or an appointment (a consultation, a
# follow-up) -- a single visit is never called a session. session_number is the series' step.
_VISIT = "{% if session_number %}session{% else %}appointment{% endif %}"

_SIGN_OFF = "\n\n{{ clinic_name }} · {{ clinic_phone }}\nStop these e-mails: {{ unsubscribe_url }}\n"

# Change notices (see treatments/scheduling/notices.py for when they are sent). "dates" lists the
# other sessions the same change touched: the later ones a move shifted, the others cancelled with it.
CHANGE_NOTICES: dict[tuple[str, str], dict[str, str]] = {
    ("moved", "email"): {
        "subject": "New time for your " + _VISIT + ": {{ when }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "{% if by_patient %}As you asked, your{% else %}Your{% endif %} " + _VISIT + " at {{ clinic_name }}"
            "{% if old_when %} on {{ old_when }}{% endif %} has moved. "
            "The new time is {{ when }}{% if location %}, {{ location }}{% endif %}.\n"
            "{% if dates %}\nYour later sessions have moved too. Their new dates are:\n"
            "{% for date in dates %}- {{ date }}\n{% endfor %}{% endif %}\n"
            "Confirm: {{ confirm_url }}\n"
            "{% if by_patient %}See your sessions here: {{ portal_url }}"
            "{% else %}If the new time does not suit you, call us on {{ clinic_phone }} or see your sessions "
            "here: {{ portal_url }}{% endif %}" + _SIGN_OFF
        ),
    },
    ("moved", "sms"): {
        "text": (
            "{{ clinic_name }}: your " + _VISIT + " has moved to {{ when }}."
            "{% if short_dates %} Later ones now: {{ short_dates|join:', ' }}"
            "{% if more_dates %} and {{ more_dates }} more{% endif %}.{% endif %} Reply C to confirm. "
            "{{ short_url }} Reply STOP to end texts."
        ),
    },
    ("cancelled", "email"): {
        "subject": "Your " + _VISIT + " on {{ when }} is cancelled",
        "text": (
            "Hello {{ first_name }},\n\n"
            "We are sorry: {{ clinic_name }} has had to cancel your " + _VISIT + " on {{ when }}.\n"
            "{% if dates %}\nThese sessions are cancelled too:\n{% for date in dates %}- {{ date }}\n"
            "{% endfor %}{% endif %}\n"
            "We will be in touch about a new time. You can also call us on {{ clinic_phone }} "
            "or see your sessions here: {{ portal_url }}" + _SIGN_OFF
        ),
    },
    ("cancelled", "sms"): {
        "text": (
            "{{ clinic_name }}: sorry, we had to cancel your " + _VISIT + " on {{ when }}"
            "{% if dates %} and {{ dates|length }} later ones{% endif %}. For a new time call "
            "{{ clinic_phone }} or see {{ short_url }} Reply STOP to end texts."
        ),
    },
    ("receipt", "email"): {
        "subject": "Your " + _VISIT + " on {{ when }} is cancelled",
        "text": (
            "Hello {{ first_name }},\n\n"
            "As you asked, your " + _VISIT + " at {{ clinic_name }} on {{ when }} is cancelled. "
            "There is nothing else you need to do.\n\n"
            "To book a new time, see your sessions here: {{ portal_url }}\n"
            "or call us on {{ clinic_phone }}." + _SIGN_OFF
        ),
    },
    ("receipt", "sms"): {
        "text": (
            "{{ clinic_name }}: as you asked, your " + _VISIT + " on {{ when }} is cancelled. A new time: "
            "{{ short_url }} or call {{ clinic_phone }}. Reply STOP to end texts."
        ),
    },
    ("rebooked", "email"): {
        "subject": "Booked again: {{ when }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "Your " + _VISIT + " at {{ clinic_name }} is booked again, now on {{ when }}"
            "{% if location %}, {{ location }}{% endif %}.\n\n"
            "Confirm: {{ confirm_url }}\nSee or cancel your sessions: {{ portal_url }}\n\n"
            "We will remind you before it." + _SIGN_OFF
        ),
    },
    ("rebooked", "sms"): {
        "text": (
            "{{ clinic_name }}: your " + _VISIT + " is booked again for {{ when }}. Reply C to confirm. "
            "Details: {{ short_url }} Reply STOP to end texts."
        ),
    },
}

# A payment's receipt (billing/services/checkout.py): the clinic, the date, the amount and how it
# was paid; never what the visit was for.
PAYMENT_RECEIPTS: dict[tuple[str, str], dict[str, str]] = {
    ("paid", "email"): {
        "subject": "Your receipt from {{ clinic_name }}: {{ amount }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "Thank you: {{ clinic_name }} received {{ amount }} from you on {{ paid_on }}"
            "{% if method %} ({{ method }}){% endif %}.\n\n"
            "Keep this e-mail as your receipt. Questions about it: call us on {{ clinic_phone }}." + _SIGN_OFF
        ),
    },
    ("paid", "sms"): {
        "text": (
            "{{ clinic_name }}: we received {{ amount }} from you on {{ paid_on }}. Thank you. "
            "Your account: {{ short_url }} Reply STOP to end texts."
        ),
    },
}

# A prepaid package about to expire (billing/services/packages.py): how many sessions are left
# and until when; never what the sessions are for.
PACKAGE_NOTICES: dict[tuple[str, str], dict[str, str]] = {
    ("pkg_expiry", "email"): {
        "subject": "Your prepaid sessions at {{ clinic_name }} expire on {{ expires_on }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "You have {{ sessions_left }} prepaid session{{ sessions_left|pluralize }} left at {{ clinic_name }}. "
            "They can be used until {{ expires_on }}; after that they expire.\n\n"
            "To book them, call us on {{ clinic_phone }} or see your sessions: {{ portal_url }}" + _SIGN_OFF
        ),
    },
    ("pkg_expiry", "sms"): {
        "text": (
            "{{ clinic_name }}: {{ sessions_left }} prepaid session{{ sessions_left|pluralize }} left, usable until "
            "{{ expires_on }}. Book: {{ short_url }} Reply STOP to end texts."
        ),
    },
}

# A balance reminder (billing/services/documents.py): the amount still owed, nothing else. And a
# Good Faith Estimate made for a self-pay patient (billing/services/documents.py): that it is ready
# and its total; never a code, a diagnosis or what the treatment is for.
ESTIMATE_NOTICES: dict[tuple[str, str], dict[str, str]] = {
    ("estimate", "email"): {
        "subject": "Your Good Faith Estimate from {{ clinic_name }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "The estimate of what your booked treatment will cost is ready: {{ amount }} in total. "
            "Read and download it on your page: {{ portal_url }}\n\n"
            "Keep it: if a bill is $400 or more above it, you may dispute the bill. "
            "Questions: call us on {{ clinic_phone }}." + _SIGN_OFF
        ),
    },
    ("estimate", "sms"): {
        "text": (
            "{{ clinic_name }}: your cost estimate ({{ amount }}) is ready to read: {{ short_url }} "
            "Reply STOP to end texts."
        ),
    },
    ("balance", "email"): {
        "subject": "Your account at {{ clinic_name }}: {{ amount }} to pay",
        "text": (
            "Hello {{ first_name }},\n\n"
            "Your account at {{ clinic_name }} shows {{ amount }} still to pay. "
            "See it, with your receipts, on your page: {{ portal_url }}\n\n"
            "Questions: call us on {{ clinic_phone }}." + _SIGN_OFF
        ),
    },
    ("balance", "sms"): {
        "text": (
            "{{ clinic_name }}: {{ amount }} is still to pay on your account. See it: {{ short_url }} "
            "Reply STOP to end texts."
        ),
    },
}

DEFAULTS: dict[tuple[str, str], dict[str, str]] = {
    ("confirmation", "email"): {
        # A series names its session count; a single appointment (a consultation) does not.
        "subject": (
            "{% if session_count %}Your sessions at {{ clinic_name }} are booked"
            "{% else %}Your appointment at {{ clinic_name }} is booked{% endif %}"
        ),
        "text": (
            "Hello {{ first_name }},\n\n"
            "{% if session_count %}"
            "Your sessions at {{ clinic_name }}{% if practitioner %} with {{ practitioner }}{% endif %} are booked:\n"
            "{% for date in dates %}- {{ date }}\n{% endfor %}\n"
            "The dates are attached as a calendar file. You can see, confirm or cancel them here:\n"
            "{{ portal_url }}\n\n"
            "We will remind you before each session."
            "{% else %}"
            "Your appointment at {{ clinic_name }} is booked for {{ when }}"
            "{% if practitioner %} with {{ practitioner }}{% endif %}{% if location %}, {{ location }}{% endif %}.\n\n"
            "It is attached as a calendar file. You can see, confirm or cancel it here:\n"
            "{{ portal_url }}\n\n"
            "We will remind you before it."
            "{% endif %}" + _SIGN_OFF
        ),
    },
    ("confirmation", "sms"): {
        "text": (
            "{{ clinic_name }}: {% if not session_count %}your appointment is booked for {{ when }}."
            "{% elif dates|length == 1 %}your session is booked for {{ when }}."
            "{% else %}your {{ dates|length }} sessions are booked, the first on {{ when }}.{% endif %} "
            "{% if session_count %}All dates, confirm{% else %}Confirm{% endif %} or cancel: {{ short_url }} "
            "Reply STOP to end texts."
        ),
    },
    ("prepare", "email"): {
        "subject": "Getting ready for {{ when }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "You have a session at {{ clinic_name }} on {{ when }}" + _SESSION + ".\n\n"
            "To get ready:\n"
            "- Please take no anti-inflammatory painkillers (such as ibuprofen, naproxen or diclofenac) "
            "for {{ nsaid_pause_days }} days before. Paracetamol is fine. Keep taking low-dose aspirin "
            "or any medicine your doctor prescribed unless they tell you otherwise.\n"
            "- Eat a light meal and drink water beforehand.\n"
            "- Wear loose, comfortable clothing.\n"
            "- Bring any scan or X-ray reports you have.\n"
            "- Tell us before you come if you take blood thinners, have a fever or an infection, "
            "or are or may be pregnant.\n\n"
            "Please answer a few short questions before your visit: {{ before_url }}\n\n"
            "Confirm: {{ confirm_url }}\nCannot come? Cancel: {{ cancel_url }}" + _SIGN_OFF
        ),
    },
    ("prepare", "sms"): {
        "text": (
            "{{ clinic_name }}: session on {{ when }}. Please skip anti-inflammatory painkillers for "
            "{{ nsaid_pause_days }} days before, eat first, wear loose clothes. A few questions first: "
            "{{ short_url }} Reply C to confirm, STOP to end texts."
        ),
    },
    ("reminder", "email"): {
        "subject": "Reminder: {{ when }} at {{ clinic_name }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "A reminder of your " + _VISIT + " at {{ clinic_name }} on {{ when }}" + _SESSION + "{% if location %}, "
            "{{ location }}{% if address %}, {{ address }}{% endif %}{% endif %}.\n\n"
            "Confirm: {{ confirm_url }}\nCannot come? Cancel: {{ cancel_url }}" + _SIGN_OFF
        ),
    },
    ("reminder", "sms"): {
        "text": (
            "{{ clinic_name }}: reminder of your " + _VISIT + " on {{ when }}. Reply C to confirm. Cancel or "
            "details: {{ short_url }} Reply STOP to end texts."
        ),
    },
    ("aftercare", "email"): {
        "subject": "After today's session: what to expect",
        "text": (
            "Hello {{ first_name }},\n\n"
            "Thank you for coming in today. Some soreness and stiffness over the next few days is "
            "normal: it is part of the healing response and usually fades within a few days, "
            "sometimes up to a week.\n\n"
            "What helps:\n"
            "- Paracetamol for the soreness.\n"
            "- Keep the spot covered today and do not soak it (bath, pool) for a day.\n"
            "- Take it easy for about three days, then ease into your usual activities.\n"
            "- {{ ice_advice }}\n"
            "- Please take no anti-inflammatory painkillers {{ nsaid_after }}.\n\n"
            "Call us at once on {{ clinic_phone }} (or urgent care) if you have:\n"
            "- a fever above 38 °C / 100.4 °F;\n"
            "- redness, warmth or swelling that spreads or grows;\n"
            "- any discharge where you had the injection;\n"
            "- pain that gets worse after two to three days instead of better;\n"
            "- you feel generally unwell;\n"
            "- burning pain, numbness or weakness in an arm or leg;\n"
            "- a severe headache, shortness of breath or chest pain.\n\n"
            "More about the days ahead: {{ aftercare_url }}" + _SIGN_OFF
        ),
    },
    ("aftercare", "sms"): {
        # Two segments with a 40-character clinic name: the red flags are the ones to act on at once
        # (the nuance, "worse after 2-3 days instead of better", is in the e-mail and behind the link).
        "text": (
            "{{ clinic_name }}: soreness is normal; paracetamol helps. No ibuprofen-type painkillers "
            "{{ nsaid_after }}. Call {{ clinic_phone }} for fever, spreading redness, discharge, numbness "
            "or worsening pain. {{ short_url }} Reply STOP to end texts."
        ),
    },
    ("checkin", "email"): {
        "subject": "How are you feeling?",
        "text": (
            "Hello {{ first_name }},\n\n"
            "It has been two days since your session. How are you feeling? Please give us your pain "
            "score (0 to 10) here, it takes a minute: {{ checkin_url }}\n\n"
            "If anything worries you, call us on {{ clinic_phone }}." + _SIGN_OFF
        ),
    },
    ("checkin", "sms"): {
        "text": (
            "{{ clinic_name }}: how are you feeling since your session? Your pain score, 0-10: "
            "{{ short_url }} Reply STOP to end texts."
        ),
    },
    ("followup", "email"): {
        "subject": "A week on: how is it going?",
        "text": (
            "Hello {{ first_name }},\n\n"
            "A week has passed since your session. Soreness should have faded by now and you can "
            "return to your usual activities step by step. Tell us how you are: {{ checkin_url }}\n\n"
            "Still sore, or worse than before? Call us on {{ clinic_phone }}." + _SIGN_OFF
        ),
    },
    ("followup", "sms"): {
        "text": (
            "{{ clinic_name }}: a week on, how are you? Tell us: {{ short_url }} Still sore? Call "
            "{{ clinic_phone }}. Reply STOP to end texts."
        ),
    },
    ("outcome", "email"): {
        "subject": "{{ weeks }} weeks on: a short check-in",
        "text": (
            "Hello {{ first_name }},\n\n"
            "It is {{ weeks }} weeks since your last session at {{ clinic_name }}. Many people notice "
            "the most benefit around now. Please tell us how you are doing, it takes a minute: "
            "{{ checkin_url }}" + _SIGN_OFF
        ),
    },
    ("outcome", "sms"): {
        "text": (
            "{{ clinic_name }}: {{ weeks }} weeks since your last session. How are you doing? "
            "{{ short_url }} Reply STOP to end texts."
        ),
    },
    ("offer", "email"): {
        "subject": "An earlier time is free at {{ clinic_name }}",
        "text": (
            "Hello {{ first_name }},\n\n"
            "You are on our waiting list, and a time has come free: {{ when }} at {{ location }}.\n\n"
            "We offer it to a few people at once: whoever takes it first gets it. If you want it, "
            "take it here: {{ offer_url }}\n\n"
            "If it does not suit you, do nothing: your booking stays as it is." + _SIGN_OFF
        ),
    },
    ("offer", "sms"): {
        "text": (
            "{{ clinic_name }}: a time came free on {{ when }}. First to take it gets it: "
            "{{ short_url }} Reply STOP to end texts."
        ),
    },
    **CHANGE_NOTICES,
    **PAYMENT_RECEIPTS,
    **PACKAGE_NOTICES,
    **ESTIMATE_NOTICES,
}
