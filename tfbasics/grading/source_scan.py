"""What a learner's exercise file reaches for, read from its syntax tree (never run).

``scan(source)`` lists, as short flags ("uses exec (line 12)"), code that reaches beyond the file:
the reference in ``tfbasics``, code run from strings or other files, reads of paths built from
``__file__``, ``..`` or an absolute path, frame walking and profilers, processes and sockets. The
flags are reported to the instructor, never judged here; the one consequence is
``Scan.reference_names``: the exercise's names the file takes from ``tfbasics``, which the grader
counts as not written (the reference is there to read, not to import).
"""

import ast
from dataclasses import dataclass, field

ALLOWED_TFBASICS = ("tfbasics._tf",)  # the stubs import the lazy `tf` from it: not the reference
RUNS_STRINGS = {"exec", "eval", "compile", "__import__"}
MODULE_FLAGS = {  # an import of one of these (or a submodule) is flagged as what it is for
    "importlib": "imports importlib",
    "runpy": "imports runpy",
    "ctypes": "imports ctypes: raw memory access",
    "socket": "imports socket: network",
    "subprocess": "imports subprocess: starts processes",
    "multiprocessing": "imports multiprocessing: starts processes",
    "pty": "imports pty: starts processes",
    "builtins": "imports builtins",
}
CALL_FLAGS = {  # a call of module.attr, by the module's own name or an alias of it
    ("sys", "setprofile"): "uses sys.setprofile: watches every call",
    ("sys", "settrace"): "uses sys.settrace: watches every call",
    ("threading", "setprofile"): "uses threading.setprofile: watches every call",
    ("threading", "settrace"): "uses threading.settrace: watches every call",
    ("sys", "_getframe"): "uses sys._getframe: frame walking",
    ("inspect", "stack"): "uses inspect.stack: frame walking",
    ("inspect", "currentframe"): "uses inspect.currentframe: frame walking",
    ("inspect", "getouterframes"): "uses inspect.getouterframes: frame walking",
    ("gc", "get_referrers"): "uses gc.get_referrers: reaches other code's objects",
    ("gc", "get_objects"): "uses gc.get_objects: reaches other code's objects",
    ("os", "fork"): "uses os.fork: starts processes",
    ("os", "forkpty"): "uses os.forkpty: starts processes",
    ("os", "system"): "uses os.system: runs a shell",
    ("os", "popen"): "uses os.popen: runs a shell",
    ("sys", "path"): "touches sys.path: imports from elsewhere",
}
FRAME_ATTRIBUTES = {"f_back", "f_globals", "f_locals", "tb_frame", "gi_frame", "cr_frame"}
READERS = {"open", "read_text", "read_bytes", "loadtxt", "load", "genfromtxt", "fromfile"}


@dataclass
class Scan:
    """What ``scan`` found in one source."""

    flags: list = field(default_factory=list)  # short lines, in the file's order
    reference_names: frozenset = frozenset()  # the exercise's names taken from tfbasics


def scan(source, names=None, where=None):
    """Flag what ``source`` reaches for beyond itself, from its syntax tree (nothing is run).

    Args:
      source: str or bytes, a Python module's text (bytes honour a coding cookie).
      names: the exercise's names (e.g. {"softmax", "one_hot"}) to report in
        ``reference_names``; None reports every name taken from tfbasics.
      where: callable(lineno) -> str naming a line for the learner ("line 12" by default).
    Returns:
      Scan; no flags for a source that does not parse (the grader reports its SyntaxError).
    """
    where = where or (lambda lineno: f"line {lineno}")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Scan()
    visitor = _Visitor(where, _path_names(tree))
    visitor.visit(tree)
    taken = visitor.taken if names is None else visitor.taken & set(names)
    if visitor.star_import and names is not None:
        taken |= set(names)
    flags = [text for _, text in sorted(visitor.flags, key=lambda f: f[0])]
    return Scan(list(dict.fromkeys(flags)), frozenset(taken))


def _is_reference(module):
    module = module or ""
    return (module == "tfbasics" or module.startswith("tfbasics.")) and not any(
        module == m or module.startswith(m + ".") for m in ALLOWED_TFBASICS
    )


def _suspicious_literal(node):
    """A string that names a path outside the file's folder: '..' in it, or absolute."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value.replace("\\", "/")
    return ".." in text.split("/") or text.startswith(("/", "~")) or text[1:3] == ":/"


def _outside(node, tainted):
    """True if the expression mentions __file__, '..', an absolute path or a tainted name."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and (sub.id == "__file__" or sub.id in tainted):
            return True
        if _suspicious_literal(sub):
            return True
    return False


def _path_names(tree):
    """Names assigned (anywhere, to a fixed point) from an expression that reaches outside."""
    assigns = [
        n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))
    ]
    tainted = set()
    while True:
        before = len(tainted)
        for node in assigns:
            if node.value is None or not _outside(node.value, tainted):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                tainted |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        if len(tainted) == before:
            return tainted


class _Visitor(ast.NodeVisitor):
    def __init__(self, where, tainted):
        self.where, self.tainted = where, tainted
        self.flags = []  # (lineno, text)
        self.aliases = {}  # local name -> what it names ("np" -> "numpy", "sm" -> "tfbasics.a.b")
        self.ref_modules = set()  # dotted names that may be a tfbasics module ("tfbasics.softmax")
        self.taken = set()  # original names taken from tfbasics
        self.star_import = False

    def flag(self, node, text):
        self.flags.append((node.lineno, f"{text} ({self.where(node.lineno)})"))

    def visit_Import(self, node):
        for alias in node.names:
            top = alias.name.split(".")[0]
            self.aliases[alias.asname or top] = alias.name if alias.asname else top
            if _is_reference(alias.name):
                self.ref_modules.add(alias.name)
                self.flag(node, f"imports {alias.name}")
            elif top in MODULE_FLAGS:
                self.flag(node, MODULE_FLAGS[top])

    def visit_ImportFrom(self, node):
        module = node.module or ""
        top = module.split(".")[0]
        if node.level == 0 and _is_reference(module):
            shown = ", ".join(a.name for a in node.names)
            self.flag(node, f"imports {shown} from {module}")
            for alias in node.names:
                if alias.name == "*":
                    self.star_import = True
                    continue
                if module != "tfbasics":  # from tfbasics import softmax: a module, not a name
                    self.taken.add(alias.name)
                self.ref_modules.add(f"{module}.{alias.name}")  # it may be a module
        elif node.level == 0 and top in MODULE_FLAGS:
            self.flag(node, MODULE_FLAGS[top])
        if node.level == 0:
            for alias in node.names:  # from sys import settrace: the call is checked by name
                self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
        self.generic_visit(node)

    def dotted(self, node):
        """'sys._getframe' for sys._getframe / s._getframe (import sys as s), else None."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return None if base is None else f"{base}.{node.attr}"
        return None

    def reference_use(self, node):
        """'tfbasics.softmax.softmax' if ``node`` names something taken from tfbasics."""
        dotted = self.dotted(node)
        if not dotted or not _is_reference(dotted):
            return None
        return dotted

    def visit_Assign(self, node):
        """``softmax = ref.softmax``: the name is the reference's (a call inside a def is not)."""
        value = node.value
        if isinstance(value, ast.Attribute) and self.dotted(value.value) in self.ref_modules:
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == value.attr:
                    self.taken.add(value.attr)
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in RUNS_STRINGS:
            self.flag(node, f"uses {node.id}")
        elif node.id == "__builtins__":
            self.flag(node, "uses __builtins__")

    def visit_Attribute(self, node):
        self.reference_use(node)
        if node.attr in FRAME_ATTRIBUTES:
            self.flag(node, f"reads .{node.attr}: frame walking")
        dotted = self.dotted(node)
        if dotted and tuple(dotted.split(".")[-2:]) == ("sys", "path"):
            self.flag(node, CALL_FLAGS[("sys", "path")])
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        dotted = self.dotted(func) or ""
        if name in RUNS_STRINGS and dotted.startswith("builtins."):
            self.flag(node, f"uses {name}")
        key = tuple(dotted.split(".")[-2:])
        if key in CALL_FLAGS and key != ("sys", "path"):
            self.flag(node, CALL_FLAGS[key])
        if dotted.split(".")[0] == "os" and name and name.startswith(("exec", "spawn")):
            self.flag(node, f"uses os.{name}: starts processes")
        if name == "partial":
            for arg in node.args[:1]:
                used = self.reference_use(arg)
                if used:
                    self.flag(node, f"wraps {used} with functools.partial")
        if name in READERS:
            parts = [*node.args, *(k.value for k in node.keywords)]
            if isinstance(func, ast.Attribute):
                parts.append(func.value)  # Path(__file__).parent.read_text()
            if any(_outside(part, self.tainted) for part in parts):
                self.flag(node, f"{name}() of a path built from __file__, '..' or '/'")
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        for base in node.bases:
            used = self.reference_use(base)
            if used:
                self.flag(node, f"class {node.name} subclasses {used}")
        self.generic_visit(node)
