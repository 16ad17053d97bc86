from __future__ import annotations

import re

from bot.cases.codes import ALPHABET, new_code, written_code


def test_new_codes_are_short_unambiguous_and_differ():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(rf"[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}", code)
        # Every code is read back however it is typed (all letters would not be).
        assert written_code(code.lower().replace("-", " ")) == code
    assert not set("0O1IL2Z5S8B") & set(ALPHABET)


def test_a_code_is_read_however_it_is_typed():
    for typed in ("K7F-3QX", "k7f3qx", " K7F 3QX ", "#k7f-3qx"):
        assert written_code(typed) == "K7F-3QX"


def test_ordinary_words_and_numbers_are_not_codes():
    for text in ("привет", "salom!", "hello1", "123456", "ACDEFG", "K7F-3QXY", "", "   ",
                 "K7F-3Q0", "помощь 7", "\x00\x00\x00\x00\x00\x00", "٣٤٦٧٩٣"):  # fmt: skip
        assert written_code(text) is None, text
