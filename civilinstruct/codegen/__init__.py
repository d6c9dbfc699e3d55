"""Design -> complete, commented OpenSeesPy program (jinja2), and the full assistant answer around it."""

from civilinstruct.codegen.answer import answer, answer_for, offline_answer, think_text, wrap_answer
from civilinstruct.codegen.render import TEMPLATE_VERSION, render, render_style
from civilinstruct.codegen.styles import Style, instruction_language, style_for

__all__ = ["TEMPLATE_VERSION", "Style", "answer", "answer_for", "instruction_language", "offline_answer", "render",
           "render_style", "style_for", "think_text", "wrap_answer"]
