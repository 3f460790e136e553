"""`Said`: the text a stream has said, kept as few strings, its tokens still counted per piece."""

from mockllm.core import tokens
from mockllm.core.said import FOLD, Said


def test_text_and_pieces_survive_folding() -> None:
    pieces = [f"第{n}个 " if n % 3 else "" for n in range(FOLD * 2 + 5)]
    said = Said()
    for piece in pieces:
        said.append(piece)
    assert said.text == "".join(pieces)
    assert list(said.pieces()) == pieces


def test_tokens_are_counted_per_piece_not_over_the_joined_text() -> None:
    said = Said()
    for piece in ["hel", "lo", " wor", "ld"]:
        said.append(piece)
    assert said.tokens() == sum(map(tokens.count, ["hel", "lo", " wor", "ld"]))
    assert said.tokens() != tokens.count("hello world")


def test_an_empty_piece_counts_as_said() -> None:
    said = Said()
    assert not said
    said.append("")
    assert said and said.text == ""
