"""The screening questions as a patient reads them (the model's labels are written for staff):
the portal's questions before a session and the online booking's health questions ask them so."""

from django.utils.translation import gettext_lazy as _

from patients.models import ScreeningQuestion

PATIENT_WORDING = {
    ScreeningQuestion.ANTICOAGULANTS: _("Do you take blood thinners (anticoagulants)?"),
    ScreeningQuestion.BLEEDING_DISORDER: _("Do you have a bleeding disorder?"),
    ScreeningQuestion.INFECTION: _("Do you have a fever or any infection, for example of a joint or of the skin?"),
    ScreeningQuestion.ALLERGY_DEXTROSE: _("Are you allergic to corn or dextrose?"),
    ScreeningQuestion.ALLERGY_ANAESTHETIC: _("Are you allergic to numbing medicines (local anaesthetics)?"),
    ScreeningQuestion.ALLERGY_LATEX: _("Are you allergic to latex?"),
    ScreeningQuestion.ALLERGY_FISH: _("Are you allergic to fish?"),
    ScreeningQuestion.PREGNANCY: _("Are you pregnant, or could you be?"),
    ScreeningQuestion.ALLERGY_OTHER: _("Are you allergic to anything else, such as a medicine or plasters?"),
    ScreeningQuestion.DIABETES: _("Do you have diabetes?"),
    ScreeningQuestion.SWELLING_FRACTURE: _("Do you have swelling nobody has explained, or a recently broken bone?"),
    ScreeningQuestion.CANCER_PAIN: _("Has a doctor said your pain is caused by cancer?"),
    ScreeningQuestion.PROSTHESIS: _("Do you have an artificial joint or heart valve?"),
}
