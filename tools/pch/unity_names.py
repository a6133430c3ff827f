#!/usr/bin/env python3
"""Fails if two of the given .cc files define a file-local name that is the same.

A unity target (tools/pch/pch.bzl, `_unity`) compiles its .cc files as one
translation unit, so what each file keeps to itself (an anonymous namespace's
helpers, a `static` function or constant at namespace scope) meets the other
files' in one scope. Two definitions of one name with the same type are a
compile error, but two functions of one name with different parameters are
an overload set: a call in the later file could silently pick the earlier
file's. The same holds for a name one file brings in with a namespace-scope
using-declaration (`using storage::Parse;`) and another defines for itself.
This check refuses any name defined file-locally in two of the files, or in one
and using-declared in another, so none of that can happen.

  unity_names.py a.cc b.cc ...     exit 1 and one line per clash

A light parser, not a compiler: comments, strings and character literals are
blanked, then declarations are read at namespace scope (function bodies and
class bodies skipped). It recognises functions, variables, classes, structs,
enums, unions and alias declarations (`using X = ...`), in anonymous
namespaces (at any depth) or declared `static`.
"""
import re
import sys

_TOKEN = re.compile(
    r'//[^\n]*|/\*.*?\*/'                      # comments
    r'|R"(?P<delim>[^(]*)\(.*?\)(?P=delim)"'      # raw strings
    r'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',  # strings, characters
    re.S)


def _blank(text):
    """Text with comments, strings and char literals replaced by spaces (lines kept)."""
    return _TOKEN.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)


def _strip_template(header):
    m = re.match(r'\s*template\s*<', header)
    if not m:
        return header
    depth, i = 1, m.end()
    while i < len(header) and depth:
        depth += {'<': 1, '>': -1}.get(header[i], 0)
        i += 1
    return _strip_template(header[i:])


def _name(header):
    """The name a namespace-scope declaration header defines, or None."""
    h = _strip_template(' '.join(header.split()))
    h = re.sub(r'\[\[.*?\]\]', ' ', h).strip()
    if not h or h.startswith(('using namespace', 'namespace ', 'static_assert', 'extern "C"',
                              'friend')):
        # (a namespace alias may be declared again for the same namespace; for
        # another one the compiler refuses it)
        return None
    m = re.match(r'(?:typedef\b.*\b(\w+)$)', h)
    if m:
        return m.group(1)
    m = re.match(r'using\s+(\w+)\s*=', h)
    if m:
        return m.group(1)
    if h.startswith('using '):
        return None  # a using-declaration (_record reads those apart)
    m = re.match(r'(?:\w+\s+)*?(?:class|struct|union|enum(?:\s+class|\s+struct)?)\s+'
                 r'(?:\[\[.*?\]\]\s*)?(\w+)', h)
    if m and '(' not in h.split(m.group(1))[0]:
        return m.group(1)
    paren = h.find('(')
    eq = h.find('=')
    if paren >= 0 and (eq < 0 or paren < eq):
        before = h[:paren].rstrip()
        m = re.search(r'(::\s*)?(~?\w+)$', before)
        if not m or m.group(1) or re.search(r'\boperator\b', before):
            return None  # a qualified (member) definition or an operator
        return m.group(2)
    m = re.search(r'(\w+)\s*(?:\[[^\]]*\]\s*)*(?:=|$)', h.split('{')[0])
    return m.group(1) if m else None


def local_names(text):
    """{name: line} of the file-local names a .cc file defines at namespace scope."""
    return _scan(text)[0]


def using_names(text):
    """{name: line} of the names a .cc file's namespace-scope using-declarations bring in."""
    return _scan(text)[1]


def _scan(text):
    """(local_names, using_names) of one file, read in one pass."""
    text = _blank(text)
    names = ({}, {})
    stack = []  # True for an anonymous namespace, False for a named one
    header, start, i, n = '', 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '#' and not text[text.rfind('\n', 0, i) + 1:i].strip():
            # A preprocessor line (with its continuations).
            while i < n and (text[i] != '\n' or text[i - 1] == '\\'):
                i += 1
            continue
        if c == '{':
            h = ' '.join(header.split())
            ns = re.fullmatch(r'(?:inline\s+)?namespace(\s+[\w:]+)?', h)
            if ns or h == 'extern':
                stack.append(bool(ns) and ns.group(1) is None)
                header = ''
                i += 1
                continue
            # A body: skip it, then the declaration ends (a class's ';' follows).
            _record(names, h, stack, text, start)
            depth = 1
            i += 1
            while i < n and depth:
                depth += {'{': 1, '}': -1}.get(text[i], 0)
                i += 1
            header = ''
            # An initializer or a class body: read on to its ';' as nothing new.
            j = i
            while j < n and text[j] in ' \t\n':
                j += 1
            if j < n and text[j] not in ';':
                k = text.find(';', j)
                nxt = text.find('{', j)
                if k >= 0 and (nxt < 0 or k < nxt) and re.fullmatch(r'[\s\w,*&]*', text[j:k]):
                    i = k + 1
            continue
        if c == '}':
            if stack:
                stack.pop()
            header = ''
            i += 1
            continue
        if c == ';':
            _record(names, ' '.join(header.split()), stack, text, start)
            header = ''
            i += 1
            continue
        if not header.strip():
            start = i
        header += c
        i += 1
    return names


def _record(names, h, stack, text, start):
    if not h:
        return
    line = text.count('\n', 0, start) + 1
    m = re.fullmatch(r'using\s+(?:typename\s+)?[\w:]*::\s*(\w+)', h)
    if m:
        # A using-declaration at namespace scope: the name it brings in is seen
        # by the files after it in the unit too.
        names[1].setdefault(m.group(1), line)
        return
    local = any(stack) or re.match(
        r'(?:template\s*<[^>]*>\s*)?(?:inline\s+|constexpr\s+)*static\b', h)
    if not local or h.startswith(('extern ', 'return')):
        return
    name = _name(h)
    if name and not name.isdigit():
        names[0].setdefault(name, line)


def main(paths):
    defined, declared = {}, {}
    for path in paths:
        with open(path, encoding='utf-8') as f:
            local, used = _scan(f.read())
        for name, line in local.items():
            defined.setdefault(name, []).append((path, line))
        for name, line in used.items():
            declared.setdefault(name, []).append((path, line))
    clashes = []
    for name, defs in sorted(defined.items()):
        files = {p for p, _ in defs}
        # Defined in two files, or defined in one and brought in by another's
        # using-declaration (an overload set either way).
        others = [(p, l) for p, l in declared.get(name, []) if p not in files]
        if len(defs) > 1 or others:
            where = ['%s:%d' % d for d in defs] + ['%s:%d (using)' % o for o in others]
            clashes.append('unity_names: %s is defined file-locally in %s' % (name, ', '.join(where)))
    for c in clashes:
        print(c)
    if clashes:
        print('unity_names: these files are compiled as one unit (tools/pch/pch.bzl, _unity): '
              'rename one of each pair')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
