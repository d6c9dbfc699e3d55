"""The failure types, named by layer: syntax, python, api, model, analysis, modal, units, compliance, runtime."""

UNTERMINATED_STRING = "syntax.unterminated_string"
SYNTAX_OTHER = "syntax.other"
UNDEFINED_NAME = "python.undefined_name"
ARGUMENT_COUNT = "api.argument_count"
UNDEFINED_TAG = "api.undefined_tag"
NDF_MISMATCH = "model.ndf_mismatch"
SINGULAR_STIFFNESS = "model.singular_stiffness"
MISSING_SETUP = "analysis.missing_setup"
NON_CONVERGING = "analysis.non_converging"
EIGEN_BEFORE_MASS = "modal.eigen_before_mass"
MISSING_MASS = "modal.missing_mass"
NO_PERIOD = "modal.no_period"  # ran, but printed no period (no eigen analysis)
PERIOD_MISMATCH = "modal.period_mismatch"  # printed a T1 its own eigen analysis does not give
WRONG_UNITS = "units.wrong_units"
DRIFT = "compliance.drift"
TIMEOUT = "runtime.timeout"
CRASH = "runtime.crash"
OTHER = "runtime.other"

ALL = (UNTERMINATED_STRING, SYNTAX_OTHER, UNDEFINED_NAME, ARGUMENT_COUNT, UNDEFINED_TAG, NDF_MISMATCH,
       SINGULAR_STIFFNESS, MISSING_SETUP, NON_CONVERGING, EIGEN_BEFORE_MASS, MISSING_MASS, NO_PERIOD, PERIOD_MISMATCH,
       WRONG_UNITS, DRIFT,
       TIMEOUT, CRASH, OTHER)


def stage(failure_type: str) -> str:
    """The paper's section 6.3 stage of a failure type: executability, compliance or period."""
    if failure_type == DRIFT:
        return "compliance"
    if failure_type in (NO_PERIOD, PERIOD_MISMATCH, WRONG_UNITS):
        return "period"
    return "executability"


# Classes no rule repairs from the evidence, and why: a harvested case of these is reported, not guessed at.
UNREPAIRABLE = {
    TIMEOUT: "the run hit the wall-clock limit; what it was doing cannot be read from a killed run",
    CRASH: "the process died (signal or memory); the log does not say which command did it",
    MISSING_MASS: "the program assigns no mass at all; the floor masses are design input it does not contain",
    PERIOD_MISMATCH: "the printed T1 is not its own eigen T1; which number the author meant is not in the run",
    OTHER: "the error matches no known failure class, so a repair would be a guess",
}
