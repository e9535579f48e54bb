"""domtree.py - a DOM tree of an HTML file, standard library only, for the
checks of test_html_chromium.sh (the DOM Chromium dumped) and
test_html_server.sh (which import it, PYTHONPATH=$TESTS_DIR)."""

from html.parser import HTMLParser

VOID = {"meta", "br", "img", "input", "link", "hr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def cls(self):
        """Its classes (none for a class attribute without a value)."""
        return (self.attrs.get("class") or "").split()

    def all(self):
        """Itself and every node below it, in document order."""
        yield self
        for c in self.children:
            yield from c.all()

    def find(self, pred):
        return [n for n in self.all() if pred(n)]

    def has(self, c):
        return c in self.cls()

    def textall(self):
        """The text of it and of every node below it."""
        return "".join(t for n in self.all() for t in n.text)


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text.append(data)


def parse(path):
    """The root (#root) of the tree of the HTML file @path."""
    t = Tree()
    t.feed(open(path, encoding="utf-8").read())
    return t.root
