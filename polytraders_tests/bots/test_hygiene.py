"""No free text in bot code: the scanner, and the bot packages as they are."""

from __future__ import annotations

from pathlib import Path

from polytraders.bots.hygiene import free_text_calls, scan_bots


def test_scan_bots_when_run_on_the_package_then_clean() -> None:
    assert scan_bots() == []


def test_free_text_calls_when_print_logging_or_logger_calls_then_each_named() -> None:
    source = (
        "import logging\n"
        "from structlog import get_logger\n"
        "log = get_logger()\n"
        "def run():\n"
        "    print('x')\n"
        "    log.info('decided')\n"
        "    logging.getLogger(__name__).warning('w')\n"
    )
    assert free_text_calls(source, "bot.py") == [
        "bot.py:1: import logging", "bot.py:2: import structlog", "bot.py:5: print()",
        "bot.py:6: .info() (a logger call)", "bot.py:7: .warning() (a logger call)",
    ]  # fmt: skip


def test_free_text_calls_when_only_mentioned_in_strings_and_comments_then_clean() -> None:
    source = '"""Never print( or log.info( here."""\n# print("no")\nNAME = "logging"\n'
    assert free_text_calls(source) == []


def test_scan_bots_when_a_bot_module_prints_then_reported(tmp_path: Path) -> None:
    (tmp_path / "bots" / "intel").mkdir(parents=True)
    (tmp_path / "bots" / "intel" / "noisy.py").write_text("def run():\n    print('hello')\n")
    assert scan_bots(tmp_path / "bots") == ["bots/intel/noisy.py:2: print()"]


def test_free_text_calls_when_log_is_a_logarithm_then_clean_but_log_level_message_named() -> None:
    source = (
        "import polars as pl\n"
        "x = pl.col('mid').log()\n"
        "y = pl.col('mid').log(10)\n"
        "logger.log(20, 'decided')\n"
    )
    assert free_text_calls(source, "bot.py") == ["bot.py:4: .log() (a logger call)"]
