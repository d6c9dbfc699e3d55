"""OpenSeesPy documentation HTML -> a command model (signatures, argument docs, notes, examples)."""

from civilinstruct.opensees_docs.loader import DocSet, html_files, load_docs
from civilinstruct.opensees_docs.model import ArgDoc, Command, DocPage, Param, Signature
from civilinstruct.opensees_docs.parse import parse_file, parse_html
from civilinstruct.opensees_docs.signature import parse_signature

__all__ = ["ArgDoc", "Command", "DocPage", "DocSet", "Param", "Signature", "html_files", "load_docs",
           "parse_file", "parse_html", "parse_signature"]
