"""``reformkg push`` into a real Oxigraph server (Graph Store Protocol), started and stopped here."""

from __future__ import annotations

import http.server
import shutil
import sys
import threading
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reformkg.cli import main
from reformkg.iris import DEFAULT_BASE
from reformkg.loopback import free_port, running
from reformkg.push import PushError, push

GRAPH = DEFAULT_BASE + "graph"


def oxigraph_binary() -> str:
    found = Path(sys.executable).parent / "oxigraph"
    if found.exists():
        return str(found)
    if shutil.which("oxigraph"):
        return shutil.which("oxigraph")
    pytest.fail("the oxigraph server CLI is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [oxigraph_binary(), "serve", "--location", str(tmp_path_factory.mktemp("ox")), "--bind", f"127.0.0.1:{port}"]
    with running(cmd, url + "/query?query=ASK%20%7B%7D", timeout=30):
        yield url


def count_in_store(url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = httpx.post(url + "/query", data={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_push_then_push_again_gives_the_same_triple_count(oxigraph, built, graph):
    graph_file = built.written[0]
    first = push(graph_file, oxigraph + "/store", GRAPH)
    assert first.sent == first.stored == len(graph)
    assert count_in_store(oxigraph, GRAPH) == len(graph)
    second = push(graph_file, oxigraph + "/store", GRAPH)
    assert second.stored == len(graph)
    assert count_in_store(oxigraph, GRAPH) == len(graph)  # PUT replaced the graph: nothing duplicated
    title = httpx.post(oxigraph + "/query", headers={"Accept": "text/csv"}, data={"query": (
        f"SELECT ?t WHERE {{ GRAPH <{GRAPH}> {{ <{DEFAULT_BASE}measure/xiamen-2025-38/city-01> "
        "<https://w3id.org/reformkg/ns#title> ?t } }")}).text
    assert "构建经营主体高效退出新机制" in title  # 附件1 row 1, exactly as printed


def test_push_command_uses_the_graph_base_by_default(oxigraph, built, graph):
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph + "/store", "--file", str(built.written[0])])
    assert result.exit_code == 0, result.output
    assert f"pushed {len(graph)} triples to <{GRAPH}>" in result.output
    assert count_in_store(oxigraph, GRAPH) == len(graph)


def test_wrong_port_is_a_clear_one_line_error(built):
    url = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(PushError, match="connection refused") as info:
        push(built.written[0], url, GRAPH)
    assert url in str(info.value)
    result = CliRunner().invoke(main, ["push", "--endpoint", url, "--file", str(built.written[0])])
    assert result.exit_code == 1
    assert "connection refused" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


class _Store(http.server.BaseHTTPRequestHandler):
    """A misbehaving store: refuses logins, or keeps only the first 10 lines of what it is sent."""

    mode = "drop"
    kept = b""

    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.mode == "login":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.end_headers()
            return
        type(self).kept = b"\n".join(body.splitlines()[:10]) + b"\n"
        self.send_response(204)
        self.end_headers()

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.end_headers()
        self.wfile.write(self.kept)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("mode, message", [("login", "refused the login"), ("drop", "dropped or merged")])
def test_refused_login_and_dropped_triples_are_reported(built, mode, message):
    handler = type("Handler", (_Store,), {"mode": mode})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(PushError, match=message):
            push(built.written[0], f"http://127.0.0.1:{httpd.server_port}/store", GRAPH, user="u", password="p")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_push_to_the_default_graph(oxigraph, built, graph):
    report = push(built.written[0], oxigraph + "/store", None)
    assert report.stored == len(graph)
    response = httpx.post(oxigraph + "/query", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == len(graph)
