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
WRONG_UNITS = "units.wrong_units"
DRIFT = "compliance.drift"
TIMEOUT = "runtime.timeout"
CRASH = "runtime.crash"
OTHER = "runtime.other"

ALL = (UNTERMINATED_STRING, SYNTAX_OTHER, UNDEFINED_NAME, ARGUMENT_COUNT, UNDEFINED_TAG, NDF_MISMATCH,
       SINGULAR_STIFFNESS, MISSING_SETUP, NON_CONVERGING, EIGEN_BEFORE_MASS, MISSING_MASS, WRONG_UNITS, DRIFT,
       TIMEOUT, CRASH, OTHER)
