from notifications.segments import sms_segments


def test_plain_ascii_fits_one_segment_up_to_160_characters():
    assert sms_segments("a" * 160).segments == 1
    assert sms_segments("a" * 161).segments == 2


def test_two_concatenated_gsm7_segments_hold_306_characters():
    count = sms_segments("a" * 306)
    assert (count.encoding, count.units, count.segments) == ("GSM-7", 306, 2)
    assert sms_segments("a" * 307).segments == 3


def test_extension_characters_cost_two_septets():
    count = sms_segments("€" * 80)
    assert (count.encoding, count.units, count.segments) == ("GSM-7", 160, 1)
    assert sms_segments("[" * 81).segments == 2


def test_accented_letters_of_the_gsm7_alphabet_stay_gsm7():
    assert sms_segments("Zoé Müller, Ñoño, Åse, Øystein").encoding == "GSM-7"


def test_one_character_outside_gsm7_turns_the_text_into_ucs2():
    count = sms_segments("Zoë" + "a" * 67)
    assert (count.encoding, count.units, count.segments) == ("UCS-2", 70, 1)
    assert sms_segments("Zoë" + "a" * 68).segments == 2
    assert sms_segments("ë" + "a" * 133).segments == 2
    assert sms_segments("ë" + "a" * 134).segments == 3


def test_an_emoji_beyond_the_basic_plane_takes_two_ucs2_units():
    count = sms_segments("🙂")
    assert (count.encoding, count.units) == ("UCS-2", 2)


def test_empty_text_costs_nothing():
    assert sms_segments("").segments == 0


def test_the_description_names_encoding_and_budget():
    assert str(sms_segments("a" * 200)) == "2 segments (GSM-7, 200 of 306)"


def test_folding_keeps_gsm7_letters_and_plains_the_others():
    from notifications.segments import gsm7_fold

    assert gsm7_fold("Zoë’s Clinic – Łódź · Müller") == "Zoe's Clinic - Łodz - Müller"
    assert sms_segments(gsm7_fold("Zoë’s Clinic")).encoding == "GSM-7"
    assert sms_segments(gsm7_fold("診所")).encoding == "UCS-2"
