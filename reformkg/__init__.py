"""reformkg: a knowledge graph of government reform measures.

Notices (text) and curated YAML in ``data/`` become one RDF graph; queries, views, exports and the
server all read that graph.
"""

__version__ = "0.1.0"
