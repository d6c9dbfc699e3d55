"""Read the physics a program printed: periods (T1 first), the largest interstory drift, the compliance verdict.

Programs print these every which way (English, Chinese, tables, lists), so each reader is a small set of rules:
a number counts as a period only when a period keyword (`T1`, `period`, `周期`) sits right before it, so a printed
omega, frequency or eigenvalue is never taken for one; a drift counts only on a drift line and before any limit it
is compared with; a verdict counts only when no negation applies to it, and any failing verdict wins.
"""

from __future__ import annotations

import re

__all__ = ["read_period", "read_periods", "read_max_drift", "read_compliance"]

_NUM = r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)"
_SEP = r"\s*(?:[=:：]|\bis\b)\s*"
_UNIT = r"\s*(?:\((?:s|sec|秒)\)|\[(?:s|sec)\]|（s）)?"
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MAX_PERIOD_S = 100.0

# T1 = 0.52, T_1: 0.52, T(1)=0.52, T1 (s) = 0.52 -- a capital T with a mode index, not Tg/Tn/Total.
_T_INDEXED = re.compile(r"(?<![A-Za-z0-9_\u4e00-\u9fff])T_?[\(\[{]?(\d{1,2})[\)\]}]?" + _UNIT + _SEP + _NUM)
# "Mode 1", "mode #1", "振型1", "第1阶", "第一阶" / "第1振型"
_MODE = re.compile(r"(?:\bmode\s*(?:no\.?|#)?\s*(\d{1,2})\b|振型\s*(\d{1,2})|"
                   r"第\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*(?:阶|振型))", re.IGNORECASE)
_PERIOD_AFTER_MODE = re.compile(
    r"(?:period|周期|(?<![A-Za-z0-9_])T(?:_?\d{1,2})?(?![A-Za-z0-9_]))" + _UNIT + r"\s*(?:[=:：]|\bis\b)?\s*" + _NUM,
    re.IGNORECASE)
_SECONDS_AFTER_MODE = re.compile(r"[=:：]\s*" + _NUM + r"\s*(?:s|sec|secs|seconds|秒)(?![A-Za-z])", re.IGNORECASE)
_FUNDAMENTAL = re.compile(
    r"(?:fundamental(?:\s+natural)?\s+period|first[\s-]+mode\s+period|period\s+of\s+(?:the\s+)?first\s+mode|"
    r"first\s+period|基本周期|基本自振周期|第一周期|结构自振周期|自振周期)"
    r"(?:\s*(?:T_?1|\(T_?1\)))?" + _UNIT + r"\s*(?:[=:：]|\bis\b)?\s*" + _NUM, re.IGNORECASE)
_PERIOD_LIST = re.compile(r"\b(?:periods|周期列表|各阶周期)" + _UNIT + r"\s*[=:：]\s*[\[(]?\s*((?:" +
                          _NUM[1:-1] + r"\s*(?:s\b)?\s*[,;\s]\s*)*" + _NUM[1:-1] + r")", re.IGNORECASE)
_PERIOD_PLAIN = re.compile(r"(?<![A-Za-z])(?:natural\s+)?period(?:\s*\([^)]{0,40}\))?" + _SEP + _NUM, re.IGNORECASE)
_NOT_A_PERIOD = re.compile(r"\b(?:ratio|target|limit|characteristic|site|Tg)\b|特征周期|周期比", re.IGNORECASE)


def _mode_number(match: re.Match[str]) -> int:
    raw = next(g for g in match.groups() if g)
    if raw.isdigit():
        return int(raw)
    if len(raw) == 2:  # 十一 .. 十九 are not expected; "二十" etc. neither: keep it simple
        return _CN_DIGITS.get(raw[0], 0) * 10 if raw[1] == "十" else 10 + _CN_DIGITS.get(raw[1], 0)
    return _CN_DIGITS[raw]


def _valid_period(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0.0 < number < _MAX_PERIOD_S else None


def _header_splits(header: str) -> list[list[str]]:
    """Ways to cut a header into columns: by |, tabs or wide gaps; or by single spaces with units kept attached."""
    wide = [t for t in re.split(r"\s*[|,\t]\s*|\s{2,}", header.strip().strip("|")) if t]
    words: list[str] = []
    for token in header.replace("|", " ").split():
        if words and re.fullmatch(r"[\[(（].*[\])）]", token):
            words[-1] += " " + token  # "T (s)" is one column
        else:
            words.append(token)
    return [wide, words]


def _row_tokens(line: str) -> list[str]:
    return [t for t in re.split(r"\s*[|,\t]\s*|\s+", line.strip().strip("|").strip()) if t]


def _table_column(lines: list[str], start: int, is_target: re.Pattern[str] | int) -> tuple[dict[int, float], int]:
    """Rows under a header: {first-column int: value in the target column (a header pattern, or an index)}; also
    how many lines were used."""
    body = [i for i in range(start + 1, min(len(lines), start + 4))
            if lines[i].strip() and not set(lines[i].strip()) <= set("-=+| :")]
    if not body:
        return {}, 0
    width = len(_row_tokens(lines[body[0]]))
    header = next((h for h in _header_splits(lines[start]) if len(h) == width), None)
    if isinstance(is_target, int):
        column = is_target if header is not None and 0 < is_target < width else None
    else:
        column = None if header is None else next((i for i, t in enumerate(header) if is_target.search(t)), None)
    rows: dict[int, float] = {}
    used = 0
    if column is None:
        return rows, used
    for line in lines[start + 1:]:
        stripped = line.strip()
        if not stripped:
            if rows:
                break
            used += 1
            continue
        if set(stripped) <= set("-=+| :"):
            used += 1
            continue
        tokens = _row_tokens(line)
        if len(tokens) != width or not re.fullmatch(r"\d{1,3}", tokens[0]):
            break
        try:
            rows.setdefault(int(tokens[0]), float(tokens[column].rstrip("s")))
        except ValueError:
            break
        used += 1
    return rows, used


_TABLE_PERIOD_HEADER = re.compile(r"^(?:period|T(?:_?\d)?)(?:\s*[\[(（].*)?$|周期", re.IGNORECASE)
_TABLE_MODE_HEADER = re.compile(r"\bmode\b|振型|阶", re.IGNORECASE)
# A verification table (OpenSeesPy's PortalFrame2d): `Period  OpenSees  SAP2000 ...` over `1  1.27321  1.2732 ...`:
# "Period" heads the mode numbers; the program's own values are under OpenSees (else the second column).
_PERIOD_INDEX_HEADER = re.compile(r"^\s*period\s*(?:no\.?|#)?(?:\s*[|,\t]\s*|\s+)[A-Za-z]", re.IGNORECASE)
_OWN_RESULT_HEADER = re.compile(r"^opensees(?:py)?$", re.IGNORECASE)


def read_periods(text: str) -> list[float]:
    """All modal periods printed, ordered by mode (mode 1 first); [] when none is printed."""
    by_mode: dict[int, float] = {}
    fallback: list[float] = []
    lines = text.splitlines()
    skip_until = -1
    for index, line in enumerate(lines):
        if index <= skip_until:
            continue
        if _TABLE_MODE_HEADER.search(line) and not re.search(r"\d", re.sub(r"T_?\d|\(\w+\)|\[\w+\]", "", line)):
            rows, used = _table_column(lines, index, _TABLE_PERIOD_HEADER)
            if rows:
                for mode, value in rows.items():
                    if _valid_period(str(value)) is not None:
                        by_mode.setdefault(mode, value)
                skip_until = index + used
                continue
        if _PERIOD_INDEX_HEADER.match(line) and not any(re.fullmatch(_NUM, t) for t in _row_tokens(line)):
            rows, used = _table_column(lines, index, _OWN_RESULT_HEADER)
            if not rows:
                rows, used = _table_column(lines, index, 1)
            if rows and sorted(rows) == list(range(1, len(rows) + 1)):
                for mode, value in rows.items():
                    if _valid_period(str(value)) is not None:
                        by_mode.setdefault(mode, value)
                skip_until = index + used
                continue
        if _NOT_A_PERIOD.search(line) and not _T_INDEXED.search(line):
            continue
        found = False
        for match in _T_INDEXED.finditer(line):
            value = _valid_period(match.group(2))
            if value is not None:
                by_mode.setdefault(int(match.group(1)), value)
                found = True
        if found:
            continue
        mode = _MODE.search(line)
        if mode:
            rest = line[mode.end():]
            hit = _PERIOD_AFTER_MODE.search(rest) or _SECONDS_AFTER_MODE.search(rest)
            value = _valid_period(hit.group(1)) if hit else None
            if value is not None:
                by_mode.setdefault(_mode_number(mode), value)
            continue
        fundamental = _FUNDAMENTAL.search(line)
        if fundamental:
            value = _valid_period(fundamental.group(1))
            if value is not None:
                by_mode.setdefault(1, value)
            continue
        listed = _PERIOD_LIST.search(line)
        if listed:
            values = [_valid_period(v) for v in re.findall(_NUM, listed.group(1))]
            if values and all(v is not None for v in values):
                for mode, value in enumerate(values, start=1):
                    by_mode.setdefault(mode, value)  # type: ignore[arg-type]
                continue
        plain = _PERIOD_PLAIN.search(line)
        if plain:
            value = _valid_period(plain.group(1))
            if value is not None:
                fallback.append(value)
    if by_mode:
        return [by_mode[m] for m in sorted(by_mode) if m >= 1]
    return fallback[:1]


def read_period(text: str) -> float | None:
    """T1 in seconds, or None when the output prints no period."""
    periods = read_periods(text)
    return periods[0] if periods else None


# ------------------------------------------------------------------------------------------------------ drift
_DRIFT_LINE = re.compile(r"drift|层间位移角|位移角|层间位移|θ", re.IGNORECASE)
_LIMIT = re.compile(r"limit|allow|permi|requir|限值|限制|允许|规范|要求|<=|>=|≤|≥|<|>|\[θ\]|\bvs\.?\b|"
                    r"\bcheck\s+against\b", re.IGNORECASE)
_FRACTION = re.compile(r"(?<![\d.])1\s*/\s*(\d+(?:\.\d+)?)")
_DECIMAL = re.compile(r"(?<![\d./])(\d*\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(\s*%)?(?!\s*(?:m\b|mm\b|cm\b|kN|/))")
_TABLE_DRIFT_HEADER = re.compile(r"drift|位移角", re.IGNORECASE)
_STORY_HEADER = re.compile(r"stor(?:e)?y|floor|level|楼层|层", re.IGNORECASE)


def _drift_values(segment: str) -> list[float]:
    values = [1.0 / float(d) for d in _FRACTION.findall(segment) if float(d) > 0]
    for number, percent in _DECIMAL.findall(segment):
        value = float(number) / (100.0 if percent else 1.0)
        if 0.0 < value < 0.2:
            values.append(value)
    return values


def read_max_drift(text: str) -> float | None:
    """The largest interstory drift ratio printed (`1/650` or `0.00154`), limits excluded; None when none."""
    found: list[float] = []
    lines = text.splitlines()
    skip_until = -1
    for index, line in enumerate(lines):
        if index <= skip_until or not _DRIFT_LINE.search(line):
            continue
        if _STORY_HEADER.search(line) and not re.search(r"\d", line):
            rows, used = _table_column(lines, index, _TABLE_DRIFT_HEADER)
            if rows:
                found.extend(v for v in rows.values() if 0.0 < v < 0.2)
                skip_until = index + used
                continue
        limit = _LIMIT.search(line)
        head = line[: limit.start()] if limit else line
        # Story numbers ("Story 3 drift") are integers and so never read; a value must follow the keyword.
        keyword = _DRIFT_LINE.search(head)
        if keyword:
            found.extend(_drift_values(head[keyword.start():]))
    return max(found) if found else None


# ------------------------------------------------------------------------------------------------- compliance
_NEUTRAL = re.compile(r"\b(?:0|no|zero|none)\s+(?:\w+\s+)?(?:fail\w*|violations?|errors?)\b", re.IGNORECASE)
_NEGATED_FAIL = re.compile(
    r"\b(?:not|never|no\s+longer)\s+(?:\w+\s+){0,2}?(?:exceed\w*|violat\w*|fail\w*)|\bno\s+violations?\b|"
    r"\bwithin\s+(?:the\s+)?(?:\w+\s+)?limits?\b|未超限|不超过|未超过|没有超过|无超限", re.IGNORECASE)
_FAIL = re.compile(
    r"\b(?:not|never|cannot|can't|no\s+longer)\s+(?:\w+\s+){0,2}?"
    r"(?:satisf\w*|pass\w*|ok|okay|compl\w*|meet\w*|acceptable|adequate|safe)\b|"
    r"\b(?:does|do|did|is|are|was|were)n't\s+(?:\w+\s+){0,2}?(?:satisf\w*|pass\w*|ok|compl\w*|meet\w*)\b|"
    r"\bunsatisf\w*|\bnon-?complian\w*|\bfail(?:s|ed|ure|ing)?\b|\bN\.?G\.?\b|\bexceed(?:s|ed|ing)?\b|"
    r"\bviolat\w*|\binadequate\b|\bunsafe\b|✗|❌|"
    r"[不未没]\s*(?:满足|通过|合格|符合)|不安全|超限|超过限值|超出限值", re.IGNORECASE)
_PASS = re.compile(
    r"\bpass(?:es|ed)?\b|\bsatisf(?:y|ies|ied|actory)\b|\bOK\b|\bokay\b|\bcompl(?:y|ies|iant|iance\s+achieved)\b|"
    r"\bmeets?\b|\bacceptable\b|\badequate\b|\bsafe\b|✓|✔|✅|满足|通过|合格|符合", re.IGNORECASE)
_MARK_PASS = " \x00PASS\x00 "


def read_compliance(text: str) -> str | None:
    """"pass" for an affirmative verdict no negation cancels, "fail" for any failing verdict, None for neither."""
    verdict: str | None = None
    for line in text.splitlines():
        line = _NEUTRAL.sub(" ", line)
        line = _NEGATED_FAIL.sub(_MARK_PASS, line)
        if _FAIL.search(line):
            return "fail"
        if "\x00PASS\x00" in line or _PASS.search(line):
            verdict = "pass"
    return verdict
