/* The behaviour of a network view (inlined by reformkg/views.py after vis-network).
   Safety: data is read with JSON.parse from a JSON script element; every text goes into the page
   through textContent, option.value or vis-network's own canvas, never innerHTML.
   window.reformkgView exposes the network, and .ready is set when the page is interactive:
   when vis has stabilised the layout (physics on) or on the first "afterDrawing" (physics off). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var state = { ready: false, readyAt: null, how: null, network: null, nodes: null, edges: null };
  window.reformkgView = state;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // A tooltip as DOM elements: {h, s, rows: [[key, value]], lists: [[heading, items, more]]};
  // an item that is a number is the index of a measure name in data.names.
  function fillTip(root, t) {
    root.appendChild(el("h3", null, t.h));
    if (t.s) { root.appendChild(el("p", "sub", t.s)); }
    if (t.rows && t.rows.length) {
      var dl = el("dl");
      t.rows.forEach(function (r) { dl.appendChild(el("dt", null, r[0])); dl.appendChild(el("dd", null, r[1])); });
      root.appendChild(dl);
    }
    (t.lists || []).forEach(function (l) {
      root.appendChild(el("h4", null, l[0]));
      var ul = el("ul");
      l[1].forEach(function (item) { ul.appendChild(el("li", null, typeof item === "number" ? names[item] : item)); });
      if (l[2] > 0) { ul.appendChild(el("li", null, "… +" + l[2])); }
      root.appendChild(ul);
    });
  }

  // Tooltips are filled when first hovered: thousands of them would slow the opening down.
  var names = data.names || [];
  var tips = { n: {}, e: {} };
  var holders = { n: {}, e: {} };
  var heads = {};
  function prepare(items, kind) {
    items.forEach(function (item) {
      if (kind === "n") { heads[item.id] = item.tip ? item.tip.h : String(item.label); }
      tips[kind][item.id] = item.tip || { m: item.m, role: item.role, from: item.from, to: item.to };
      delete item.tip; delete item.m;
      item.title = holders[kind][item.id] = el("div", "tip");
    });
    return items;
  }
  function tipOf(kind, id) {
    var t = tips[kind][id];
    if (t && t.m) {  // a collaboration link: the measures the two agencies share
      var cap = data.cap || 12;
      return { h: heads[t.from] + " — " + heads[t.to], rows: [["Shared measures 共同举措", String(t.m.length)]],
               lists: [["Measures 举措", t.m.slice(0, cap), Math.max(0, t.m.length - cap)]] };
    }
    if (t && t.role) {  // a measure–agency (or measure–district) link
      return { h: heads[t.to], s: t.role, lists: [["Measure 举措", [heads[t.from]], 0]] };
    }
    return t;
  }
  function fill(kind, id) {
    var holder = holders[kind][id];
    var t = tipOf(kind, id);
    if (holder && t && !holder.firstChild) { fillTip(holder, t); }
  }

  var nodes = new vis.DataSet(prepare(data.nodes, "n"));
  var edges = new vis.DataSet(prepare(data.edges, "e"));
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: [], edges: [] }, data.options);
  state.network = network; state.nodes = nodes; state.edges = edges; state.fill = fill;
  network.on("hoverNode", function (p) { fill("n", p.node); });
  network.on("hoverEdge", function (p) { fill("e", p.edge); });
  network.on("showPopup", function (id) { fill("n", id); fill("e", id); });

  // Agencies that share no measure with anyone drift anywhere under physics, sometimes onto a link
  // they are not part of: line them up in a row under the picture instead.
  function lineUpLoners() {
    var pos = network.getPositions();
    var loners = nodes.getIds().filter(function (id) { return network.getConnectedEdges(id).length === 0; });
    var placed = nodes.getIds().filter(function (id) { return loners.indexOf(id) < 0; });
    if (!loners.length || !placed.length) { return; }
    var xs = placed.map(function (id) { return pos[id].x; });
    var ys = placed.map(function (id) { return pos[id].y; });
    var left = Math.min.apply(null, xs), right = Math.max.apply(null, xs), bottom = Math.max.apply(null, ys);
    var step = Math.max(90, (right - left) / Math.max(1, loners.length - 1));
    loners.sort(function (a, b) { return String(nodes.get(a).label).localeCompare(String(nodes.get(b).label)); });
    loners.forEach(function (id, i) { network.moveNode(id, left + i * step, bottom + 120); });
    network.fit({ animation: false });
  }

  function markReady(how) {
    if (state.ready) { return; }
    state.ready = true; state.how = how; state.readyAt = performance.now();
    document.body.setAttribute("data-ready", how);
  }
  if (data.physics) {
    // The layout is computed by the stabilisation iterations (not drawn); then the picture is kept
    // still, instead of animating until every node rests (which takes seconds on dense views).
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      lineUpLoners();
      markReady("stabilized");
    });
  } else {
    network.once("afterDrawing", function () { markReady("afterDrawing"); });
  }
  network.setData({ nodes: nodes, edges: edges });

  // Find: a datalist of every name, matched on the label and on the zh/en/alias names.
  var input = document.getElementById("find");
  var status = document.getElementById("find-status");
  var list = document.getElementById("find-names");
  var seen = {};
  nodes.forEach(function (n) {
    var name = String(n.label).replace(/\n/g, " ");
    if (seen[name]) { return; }
    seen[name] = true;
    var option = document.createElement("option");
    option.value = name;
    list.appendChild(option);
  });

  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: false });
    var n = nodes.get(id);
    status.textContent = n ? String(n.label).replace(/\n/g, " ") : "";
  }

  function find() {
    var q = input.value.trim().toLowerCase();
    if (!q) { return; }
    var exact = nodes.get({ filter: function (n) { return String(n.label).replace(/\n/g, " ").toLowerCase() === q; } });
    var hits = exact.length ? exact : nodes.get({ filter: function (n) {
      return (String(n.label) + " " + (n.find || "")).toLowerCase().indexOf(q) >= 0;
    } });
    if (!hits.length) { status.textContent = "No match 未找到"; network.unselectAll(); return; }
    focusNode(hits[0].id);
    if (hits.length > 1) { status.textContent += " (1 of " + hits.length + ")"; }
  }
  input.addEventListener("change", find);
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") { find(); } });
  document.getElementById("find-go").addEventListener("click", find);

  // The hubs table: a row focuses its node.
  Array.prototype.forEach.call(document.querySelectorAll("tr[data-node]"), function (row) {
    var go = function () { focusNode(Number(row.getAttribute("data-node"))); };
    row.addEventListener("click", go);
    row.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
  });

  // Colour by agency kind or by Louvain community (collaboration view).
  var colourBy = document.getElementById("colour-by");
  if (colourBy) {
    colourBy.addEventListener("change", function () {
      var key = colourBy.value === "community" ? "cc" : "kc";
      nodes.update(nodes.map(function (n) {
        var c = n[key] || n.kc;
        var border = n.color && n.color.border;
        return { id: n.id, color: { background: c, border: border, highlight: { background: c, border: border },
                                    hover: { background: c, border: border } } };
      }));
      document.getElementById("legend-community").hidden = key !== "cc";
      document.getElementById("legend-kind").hidden = key === "cc";
    });
  }
}());
