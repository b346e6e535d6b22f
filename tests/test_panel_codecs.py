"""Panel codecs against the exact frames of DEVICES.md (Interactive panels), and their errors.

Fuzzing (any split, garbage, floods) is in test_panel_fuzz.py.
"""

from __future__ import annotations

import pytest

from devices.panels import (
    PANEL_PROTOCOLS,
    LfdCodec,
    LgCodec,
    PanelCodec,
    PrometheanCodec,
    Reply,
    SamsungCodec,
    SmartCodec,
    make_panel_codec,
    panel_transport,
)
from devices.panels.promethean import promethean_frame

H = bytes.fromhex


def commands(codec: PanelCodec) -> list[bytes]:
    return [
        codec.set_power(True),
        codec.set_power(False),
        codec.set_input("hdmi1"),
        codec.query("power"),
    ]


def test_smart_commands_are_ascii_ending_in_cr_only() -> None:
    codec = SmartCodec()
    assert commands(codec) == [
        b"set powerstate=on\r",
        b"set powerstate=ready\r",
        b"set input=hdmi1\r",
        b"get powerstate\r",
    ]
    assert codec.set_volume(55) == b"set volume=55\r"
    assert codec.set_mute(True) == b"set mute=on\r"
    assert [codec.set_input(name) for name in ("usbc1", "ops1")] == [
        b"set input=usbc1\r",
        b"set input=ops1\r",
    ]
    upper = SmartCodec(upper_case_inputs=True)
    assert [upper.set_input(name) for name in ("hdmi2", "vga1")] == [
        b"set input=HDMI2\r",
        b"set input=VGA\r",
    ]


def test_smart_answers_come_at_the_prompt_and_hash_lines_are_unsolicited() -> None:
    codec = SmartCodec()
    assert codec.feed(b"powerstate=on\r\n") == []  # not before the prompt
    assert codec.feed(b"#touch 12,40\r\n>") == [Reply("power", power="on")]
    assert codec.unsolicited == 1
    assert codec.feed(b"input=HDMI2\r\nvolume=55\r\nmute=off\r\n>") == [
        Reply("input", input="hdmi2"),
        Reply("volume", volume=55),
        Reply("mute", muted=False),
    ]
    assert codec.feed(b"invalid cmd=set input=hdmi9\r\n>") == [
        Reply(None, refused="invalid cmd=set input=hdmi9")
    ]
    assert codec.feed(b"powerstate=ready\r\n>powerstate=updateon\r\n>") == [
        Reply("power", power="standby"),
        Reply("power", power="on"),
    ]
    assert codec.feed(b"input=android\r\nvolume=101\r\n>") == [Reply("input", input="code:android")]


def test_promethean_frames_from_devices_md() -> None:
    codec = PrometheanCodec()
    assert commands(codec) == [
        H("F6 01 01 01 F9 6F"),
        H("F6 01 01 00 F8 6F"),
        H("F6 30 01 09 30 6F"),
        H("F6 01 02 00 F9 6F"),
    ]
    assert codec.set_input("hdmi2") == H("F6 30 01 0A 31 6F")
    assert codec.set_input("ops1") == H("F6 30 01 12 39 6F")
    assert codec.set_mute(True) == H("F6 02 00 01 F9 6F")
    assert codec.set_volume(50) == promethean_frame(0x0C, 0x01, 50) == H("F6 0C 01 32 35 6F")
    assert codec.feed(H("F6 01 02 01 FA 6F")) == [Reply("power", power="on")]
    assert (
        codec.feed(H("F6 01 02 02 FB 6F F6 01 02 03 FC 6F"))
        == [Reply("power", power="standby")] * 2
    )
    assert codec.feed(H("F6 01 02 01 FB 6F")) == []  # bad checksum
    assert codec.discarded == 6


def test_lfd_frames_from_devices_md() -> None:
    codec = LfdCodec()
    assert commands(codec) == [b"801s!001\r", b"801s!000\r", b'801s"004\r', b"801gl000\r"]
    assert codec.set_input("hdmi2") == b'801s"014\r'
    assert codec.set_input("ops1") == b'801s"007\r'
    assert codec.set_volume(50) == b"801s5050\r"
    assert codec.set_mute(True) == b"801s6001\r"
    assert LfdCodec(panel_id=12).set_power(True) == b"812s!001\r"
    assert codec.feed(b"401+\r401-\r801rl001\r801rl000\r") == [
        Reply(None),
        Reply(None, refused="-"),
        Reply("power", power="on"),
        Reply("power", power="standby"),
    ]
    assert codec.feed(b"402+\r501+\r801rl001") == []  # another id, a wrong length, no CR yet


def test_samsung_frames_from_devices_md() -> None:
    codec = SamsungCodec()
    assert commands(codec) == [
        H("AA 11 01 01 01 14"),
        H("AA 11 01 01 00 13"),
        H("AA 14 01 01 21 37"),
        H("AA 11 01 00 12"),
    ]
    assert codec.set_volume(30) == H("AA 12 01 01 1E 32")
    assert codec.set_mute(True) == H("AA 13 01 01 01 16")
    assert codec.feed(H("AA FF 01 03 41 11 01 56")) == [Reply("power", power="on")]
    assert codec.feed(H("AA FF 01 03 4E 14 01 66")) == [
        Reply("input", refused="NAK, error code 01")
    ]
    assert codec.feed(H("AA FF 01 03 41 12 1E 74 AA FF 01 03 41 14 23 7B")) == [
        Reply("volume", volume=30),
        Reply("input", input="hdmi2"),
    ]
    assert codec.feed(H("AA FF 02 03 41 11 01 57")) == []  # display 2 answering
    assert codec.feed(H("AA FF 01 03 41 11 01 57")) == []  # bad checksum


def test_lg_frames_from_devices_md() -> None:
    codec = LgCodec()
    assert commands(codec) == [b"ka 01 01\r", b"ka 01 00\r", b"xb 01 90\r", b"ka 01 ff\r"]
    assert codec.set_volume(30) == b"kf 01 1e\r"
    assert codec.set_mute(True) == b"ke 01 00\r"
    assert codec.set_mute(False) == b"ke 01 01\r"
    assert codec.feed(b"a 01 OK01xa 01 NG01x") == [
        Reply("power", power="on"),
        Reply("power", refused="NG01"),
    ]
    assert codec.feed(b"b 01 OK91xf 01 OK1Exe 01 OK00x") == [
        Reply("input", input="hdmi2"),
        Reply("volume", volume=30),
        Reply("mute", muted=True),
    ]
    assert codec.feed(b"a 02 OK01x") == []  # set 2 answering


@pytest.mark.parametrize("protocol", sorted(PANEL_PROTOCOLS))
def test_every_codec_refuses_what_it_cannot_carry(protocol: str) -> None:
    codec = make_panel_codec(protocol)
    with pytest.raises(ValueError, match="no input 'hdmi9'"):
        codec.set_input("hdmi9")
    for level in (-1, 101, True):
        with pytest.raises(ValueError, match="0 to 100"):
            codec.set_volume(level)
    for field in ("power", "input", "volume", "mute"):
        if field not in codec.readable:
            with pytest.raises(ValueError, match="cannot report"):
                codec.query(field)


def test_settings_that_cannot_work_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="unknown panel protocol 'nec'"):
        make_panel_codec("nec")
    with pytest.raises(ValueError, match="smart panels have no panel id"):
        make_panel_codec("smart", panel_id=2)
    with pytest.raises(ValueError, match="SMART panels only"):
        make_panel_codec("lg", upper_case_inputs=True)
    with pytest.raises(ValueError, match="1 to 98"):
        make_panel_codec("lfd", panel_id=99)  # the broadcast id gets no answer
    with pytest.raises(ValueError, match="0 to 253"):
        make_panel_codec("samsung", panel_id=0xFE)
    with pytest.raises(ValueError, match="not a lfd code"):
        make_panel_codec("lfd", inputs={"hdmi3": "24"})
    with pytest.raises(ValueError, match="serial port or tcp"):
        panel_transport("keyboard:", 9600)
    with pytest.raises(ValueError, match="tcp://HOST:PORT"):
        panel_transport("tcp://10.0.0.5", 9600)


def test_an_input_table_can_be_extended_per_panel() -> None:
    codec = make_panel_codec("lfd", inputs={"hdmi3": "024", "vga1": "006"})
    assert codec.set_input("hdmi3") == b'801s"024\r'
    assert codec.set_input("hdmi1") == b'801s"004\r'  # the defaults stay
    samsung = make_panel_codec("samsung", panel_id=5, inputs={"usbc1": "5F"})
    assert samsung.set_input("usbc1") == H("AA 14 05 01 5F 79")
    assert samsung.feed(H("AA FF 05 03 41 14 5F BB")) == [Reply("input", input="usbc1")]
