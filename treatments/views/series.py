from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.roles import desk_required
from patients.access import patient_for


@desk_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Filled by the front-desk issue: the patient's series, appointments and no-show count.
    patient = patient_for(request.user, pk)
    return render(request, "treatments/patient_detail.html", {"patient": patient})
