"""Online booking at /book/: a patient picks a slot the clinic opens online, proves their e-mail or
phone with a one-time code while the slot is held, and the desk's booking service books it."""
