"""The starting set of education pages, written for this product in plain words from the facts in
docs/clinical-facts.md. Clinics edit them in the admin; every later change keeps a revision."""

import datetime as dt

from django.db import migrations

REVIEWED_BY = "Prolo content team"
REVIEWED_ON = dt.date(2026, 11, 1)

# slug, title, kind, condition, order, summary, body
PAGES = [
    (
        "what-is-prolotherapy",
        "What is prolotherapy?",
        "topic",
        "",
        10,
        "A series of small injections that gently irritate a sore ligament, tendon or joint so the body starts to repair it.",
        """
Prolotherapy is a treatment for long-lasting pain in ligaments, tendons and joints. The name is short
for "proliferation therapy".

## What is in the injection?

Most often it is sugar water (dextrose) that is stronger than the fluids in your body. It is usually
mixed with a numbing medicine such as lidocaine, so the injection itself hurts less.

## How does it work?

The solution is a mild irritant. It causes a short, local inflammation where it is placed. That is on
purpose: inflammation is the first step of the body's own repair process. Over the following weeks,
the idea is that the tissue becomes stronger and less painful.

## How is it different from a cortisone shot?

A cortisone shot calms inflammation down. Prolotherapy does the opposite: it starts a little
inflammation on purpose. This is why:

- you will be asked not to take anti-inflammatory painkillers (such as ibuprofen or naproxen) around
  your sessions, because they would work against the treatment;
- some soreness after each session is expected and is a sign that the healing response has started.

## One injection is not the whole treatment

Prolotherapy is given as a **series** of sessions, usually a few weeks apart. How many you need
depends on your condition and on how your body responds. See [What a series is like](/education/what-a-series-is-like/).
""",
    ),
    (
        "what-a-series-is-like",
        "What a series is like",
        "topic",
        "",
        20,
        "How many sessions, how far apart, and when you can expect to notice a change.",
        """
## A series, not a single visit

Most people have between 3 and 6 sessions. They are often about a month apart, but this depends on
the condition. For example, some treatment plans for the Achilles tendon use weekly sessions, and some
plans for the knee space the last sessions further apart.

## What happens at a session

1. We check how you have been since last time and ask a few safety questions again.
2. The skin is cleaned. Your practitioner injects small amounts of the solution at the sore spots.
   Some use ultrasound or X-ray to guide the needle.
3. You rest for a short while and then go home. Most people can drive afterwards.

## When will I notice a difference?

- Soreness in the first days after each session is normal.
- Many people feel the first relief about 2 weeks after a session.
- The most benefit from a session is usually felt 4 to 6 weeks later.
- Studies of knee arthritis found that the effect tends to grow with each session.

## Tell us how it is going

You can report your pain from 0 to 10 on your patient page. This helps your practitioner see the
trend over time. **If nothing has improved after 2 sessions, please tell us before your third
session**, so we can talk about the plan.
""",
    ),
    (
        "safety-and-candidates",
        "Is it safe? Who is it (not) for?",
        "topic",
        "",
        30,
        "Common side effects, rare risks, and the health questions we ask before every session.",
        """
## Common side effects

- **Pain after the injection.** This is the most common one and it is expected. It usually settles
  within a few days.
- **Stiffness** for a day or two.
- **A small bruise** where the needle went in.

## Rare but serious problems

Serious problems are rare. They are linked to the needle itself, and mostly to injections near the
spine: for example a severe headache, a collapsed lung, or an injured nerve. Studies of injections
into knees, elbows, heels and other joints or tendons away from the spine reported no serious problems.

## Questions we ask before treatment

Before your first session, and again before every session, we ask whether you:

- take blood thinners, or have a bleeding disorder;
- have an infection now, such as a fever or an infected joint or skin near the injection site;
- are allergic to corn or dextrose, to numbing medicines (local anaesthetics), to latex, or to fish;
- are pregnant or could be pregnant;
- have diabetes;
- have swelling nobody has explained yet, or a recent broken bone;
- have pain caused by cancer;
- have an artificial joint or heart valve (you may need antibiotics beforehand).

A "yes" does **not** automatically mean you cannot have prolotherapy. It means your practitioner
will look at it with you and decide what is safe. Please never stop a blood thinner on your own:
only stop it if the doctor who prescribed it agrees.

## Who is it usually for?

People with pain in a ligament, tendon or joint that has lasted a long time, for example knee
arthritis, long-term low back pain, tennis elbow or an Achilles problem. Only a consultation with a
practitioner can tell whether it suits you. You can start with our short
[self-check](/consult/).
""",
    ),
    (
        "preparing-for-a-session",
        "Preparing for a session",
        "topic",
        "",
        40,
        "Medicines to pause, what to eat, what to wear and what to bring.",
        """
## In the days before

- **Anti-inflammatory painkillers:** please stop them [[nsaid_days_before]] days before your session.
  These are medicines such as ibuprofen, naproxen or diclofenac. A low dose of aspirin that a doctor
  prescribed for your heart is usually fine, but ask us if you are unsure.
- **Blood thinners:** tell us if you take any. Do not stop them unless the doctor who prescribed them
  says you can.
- **Paracetamol (acetaminophen)** is fine if you need something for pain.

## On the day

- Eat a light meal and drink some water before you come.
- Wear loose clothes, so we can easily reach the area being treated.
- Bring any scan or X-ray reports you have not shown us yet.

## Tell us before the session if

- you are allergic to corn or dextrose, numbing medicines, latex or fish;
- you are or might be pregnant;
- you have an artificial joint or heart valve;
- you have a fever or any infection.

You can answer these questions online from your patient page before each session.
""",
    ),
    (
        "aftercare",
        "Aftercare: what to expect after a session",
        "aftercare",
        "",
        50,
        "The usual soreness day by day, what helps, and the warning signs that mean you should call us at once.",
        """
## What helps

- **Paracetamol (acetaminophen)** for soreness.
- **Heat**, such as a warm pack, is fine.
- **Keep moving gently.** Short walks and normal daily tasks help. Avoid heavy lifting or hard,
  repeated movements with the treated area for about 3 days.
- **Anti-inflammatory painkillers** (ibuprofen, naproxen and similar) work against the treatment.
  Please avoid them for [[nsaid_days_after]] days after your session.

Each condition has its own guide as well. Ask us which one is yours, or look at the list of
aftercare guides on the education start page.
""",
    ),
    (
        "faq",
        "Questions people often ask",
        "topic",
        "",
        60,
        "Short answers about pain, driving, bathing, sport and what to do between sessions.",
        """
### Does the injection hurt?

You will feel the needle, and the area is often sore for a few days. The solution usually contains a
numbing medicine, so the area may feel numb for a few hours afterwards.

### Can I drive home?

Usually yes. If you were given a medicine to relax you, please arrange for someone else to drive.

### Can I take my usual painkillers?

Paracetamol (acetaminophen) is fine. Please avoid anti-inflammatory painkillers such as ibuprofen or
naproxen before and after your sessions, because they work against the treatment. Your clinic tells you
for how long.

### Can I shower or swim?

A shower is fine. Do not soak the area in a bath, pool or hot tub for 24 hours.

### When can I do sport again?

Take it easy for about 3 days, then slowly build up over about 10 days. Ask your practitioner about
your own sport.

### How many sessions will I need?

Most people have 3 to 6. It depends on the condition and on how you respond.

### What if it does not help?

Tell us. If nothing has changed after 2 sessions, we would like to hear from you before the third.

### How do I know if something is wrong?

Read the warning signs on the [aftercare page](/education/aftercare/). If you have any of them, call us
straight away on [[clinic_phone]].
""",
    ),
    (
        "chronic-low-back-pain",
        "Chronic low back pain",
        "condition",
        "low-back",
        110,
        "When the ligaments of the lower back stay painful for months, a series of injections may help them repair.",
        """
## The problem

The bones of the lower spine and the pelvis are held together by strong ligaments. When these are
overstretched or worn, they can cause a deep, nagging ache that does not go away with rest.

## How prolotherapy is used

Small amounts of solution are injected where these ligaments attach to bone. In one well-known study,
people had 6 sessions, 2 weeks apart. Your own plan may differ.

## What to expect

- Soreness and stiffness in the back for a few days after each session.
- Slowly returning to normal activity over about 10 days.
- Because these injections are near the spine, there are a few extra warning signs to watch for.
  They are listed in the [aftercare guide for the low back](/education/aftercare-low-back/).
""",
    ),
    (
        "knee-osteoarthritis",
        "Knee osteoarthritis",
        "condition",
        "knee-oa",
        120,
        "Wear in the knee joint that causes pain and stiffness. Prolotherapy is one of the best-studied options for it.",
        """
## The problem

In osteoarthritis, the smooth lining of the knee joint wears down and the tissues around the joint
become painful and stiff. Walking, stairs and getting up from a chair can all hurt.

## How prolotherapy is used

The solution is injected into the knee joint itself, and often also at the places where the
ligaments around the knee attach to bone. A series is usually 3 to 5 sessions about 4 weeks apart.
Some plans space the last session further apart.

## What the research found

In a study that followed people for a year, those treated with dextrose improved more on a standard
knee questionnaire than those given salt water injections or an exercise programme. A review of
several studies found that the benefit tends to grow with each session up to about the fourth.

## What to expect

- The knee is often sore and stiff for 1 to 3 days after each session.
- Many people notice the first change after about 2 weeks.
- Read the [aftercare guide for the knee](/education/aftercare-knee-oa/) before your first session.
""",
    ),
    (
        "tendon-injuries",
        "Tendon problems: tennis elbow and the Achilles",
        "condition",
        "tendon",
        130,
        "Tendons that stay painful after overuse, such as the outside of the elbow or the back of the heel.",
        """
## The problem

A tendon joins a muscle to a bone. With repeated strain it can become thickened and painful, and it
may not heal well on its own. Two common examples are:

- **Tennis elbow**: pain on the outside of the elbow, often when gripping or lifting. You do not have
  to play tennis to get it.
- **Achilles tendon problems**: pain at the back of the heel or just above it, often worst in the
  morning or when starting to walk.

## How prolotherapy is used

- For tennis elbow, studies used 3 sessions, 4 weeks apart, sometimes guided by ultrasound.
- For the Achilles tendon, one study used weekly sessions, continued until the pain had gone, often
  between 4 and 12 sessions.

## Aftercare

- [Aftercare guide for tennis elbow](/education/aftercare-tennis-elbow/)
- [Aftercare guide for the Achilles tendon](/education/aftercare-achilles/)
- [Aftercare guide for the shoulder tendons (rotator cuff)](/education/aftercare-rotator-cuff/)
""",
    ),
    (
        "ligament-sprains",
        "Ligament sprains that do not settle",
        "condition",
        "ligament-sprain",
        140,
        "A sprained or loose ligament that keeps hurting or giving way months after the injury.",
        """
## The problem

Ligaments hold bones together at a joint. After a sprain, most ligaments heal well. Some stay
stretched, loose or painful, and the joint may feel weak or give way.

## How prolotherapy is used

The solution is placed where the ligament attaches to bone, to start a fresh healing response. A
series usually has several sessions a few weeks apart. Your practitioner will plan the number with you.

## What to expect

- Soreness for a few days after each session is normal.
- Avoid heavy or sudden loads on the joint for about 3 days, then build up slowly.
- Read the general [aftercare page](/education/aftercare/), with the warning signs to watch for.
""",
    ),
    (
        "shoulder-instability",
        "Shoulder instability and rotator cuff pain",
        "condition",
        "shoulder",
        150,
        "A shoulder that feels loose, or painful tendons around the shoulder joint.",
        """
## The problem

The shoulder moves more than any other joint. It depends on ligaments and on a group of tendons
called the rotator cuff to stay in place. When these are loose or worn, the shoulder can ache,
click, feel unsteady or hurt when you lift your arm.

## How prolotherapy is used

The solution is injected where the tendons or ligaments attach to bone. In one study of rotator cuff
pain, people had 3 sessions about a month apart.

## What to expect

- The shoulder is often sore for a few days; sleeping on that side may be uncomfortable.
- Avoid lifting heavy things or working with the arm above your head for about 3 days.
- Read the [aftercare guide for the shoulder](/education/aftercare-rotator-cuff/).
""",
    ),
    (
        "sacroiliac-joint-dysfunction",
        "Sacroiliac joint pain",
        "condition",
        "sacroiliac",
        160,
        "Pain low in the back or buttock, where the spine meets the pelvis.",
        """
## The problem

The sacroiliac joints sit on each side of the base of the spine, where it joins the pelvis. When the
ligaments around them are loose or strained, they can cause pain low in the back, in the buttock or
down the back of the thigh.

## How prolotherapy is used

The solution is injected into or around the joint. Some practitioners use X-ray guidance. Studies
used up to 3 sessions, between 2 weeks and about a month apart.

## What to expect

- Soreness low in the back for a few days after each session.
- Because these injections are close to the spine, there are a few extra warning signs to watch for.
  See the [aftercare guide for the sacroiliac joint](/education/aftercare-sacroiliac/).
""",
    ),
]

# condition slug, label, condition-specific advice
AFTERCARE = [
    (
        "knee-oa",
        "the knee",
        """
- Walking on the flat is good for the knee. Avoid running, jumping, deep squats and long stair climbs
  for about 3 days.
- Keep the knee moving: bend and straighten it gently a few times an hour while you are awake.
- If the knee swells a little and feels stiff the next day, that is common. Swelling that keeps
  getting bigger, or a knee that turns red and hot, is a warning sign.
""",
    ),
    (
        "low-back",
        "the low back",
        """
- Gentle walking helps. Avoid lifting, bending under load and long drives for about 3 days.
- Change position often; sitting still for a long time makes the stiffness worse.
- A warm pack on the lower back can ease the ache.
""",
    ),
    (
        "sacroiliac",
        "the sacroiliac joint",
        """
- Gentle walking helps. Avoid lifting, twisting under load and standing on one leg for long, for
  about 3 days.
- Sitting on a firm chair may be more comfortable than a soft sofa.
- A warm pack low on the back can ease the ache.
""",
    ),
    (
        "tennis-elbow",
        "tennis elbow",
        """
- Rest the arm from gripping, lifting and twisting (for example opening jars or carrying bags) for
  about 3 days.
- Light use, such as typing or eating, is fine.
- After that, build up grip and lifting slowly over about 10 days.
""",
    ),
    (
        "achilles",
        "the Achilles tendon",
        """
- Walk normally, but avoid running, jumping and hill walking for about 3 days.
- Wear comfortable, supportive shoes.
- Sessions for this tendon may be as often as weekly, so the soreness of one session can overlap with
  the next. Tell us if the pain keeps building up.
""",
    ),
    (
        "rotator-cuff",
        "the shoulder",
        """
- Avoid lifting heavy things and working with the arm above your head for about 3 days.
- Let the arm hang and swing gently a few times a day, so the shoulder does not stiffen.
- Sleeping on the other side, with a pillow to support the arm, may be more comfortable.
""",
    ),
    (
        "plantar-fasciitis",
        "the heel and sole of the foot",
        """
- Walk normally in supportive shoes. Avoid running and standing for long periods for about 3 days.
- Do not walk barefoot on hard floors for the first few days.
- Gentle stretching of the calf and foot can start again once the soreness fades.
""",
    ),
    (
        "osgood-schlatter",
        "the knee (Osgood-Schlatter)",
        """
- This guide is often read by parents. Young people should rest from jumping, kneeling and running
  sports for about 3 days.
- Normal walking, school and light play are fine.
- Build back into sport over about 10 days, and let us know if the pain comes back strongly.
""",
    ),
]


def _aftercare_body(label: str, advice: str) -> str:
    return f"""
## Looking after {label}

{advice.strip()}

## Medicines

- Paracetamol (acetaminophen) is fine for soreness.
- Please avoid anti-inflammatory painkillers (ibuprofen, naproxen and similar) for [[nsaid_days_after]]
  days after the session, because they work against the treatment.

## Questions?

Call us on [[clinic_phone]]. If you are not sure whether something is normal, it is always fine to call.
"""


def seed(apps, schema_editor):
    Page = apps.get_model("education", "Page")
    PageRevision = apps.get_model("education", "PageRevision")
    rows = [
        (slug, title, kind, condition, order, summary, body.strip())
        for slug, title, kind, condition, order, summary, body in PAGES
    ]
    for index, (condition, label, advice) in enumerate(AFTERCARE):
        rows.append(
            (
                f"aftercare-{condition}",
                f"Aftercare for {label}",
                "aftercare",
                condition,
                200 + index,
                f"What to expect after a session for {label}, and when to call us.",
                _aftercare_body(label, advice).strip(),
            )
        )
    saved_at = dt.datetime.combine(REVIEWED_ON, dt.time(12, 0), tzinfo=dt.UTC)
    for slug, title, kind, condition, order, summary, body in rows:
        page, created = Page.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "kind": kind,
                "condition": condition,
                "order": order,
                "summary": summary,
                "body": body,
                "status": "published",
                "reviewed_by": REVIEWED_BY,
                "reviewed_on": REVIEWED_ON,
            },
        )
        if created:
            PageRevision.objects.create(
                page=page,
                title=title,
                summary=summary,
                body=body,
                status="published",
                reviewed_by=REVIEWED_BY,
                reviewed_on=REVIEWED_ON,
                saved_at=saved_at,
            )


def unseed(apps, schema_editor):
    Page = apps.get_model("education", "Page")
    slugs = [row[0] for row in PAGES] + [f"aftercare-{row[0]}" for row in AFTERCARE]
    Page.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
