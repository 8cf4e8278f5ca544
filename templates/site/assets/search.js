// Client-side search over the site's index: search/index.js (frameworks, requirements,
// controls) and search/findings-N.js (findings, loaded on the first search). Each index file
// calls assaySearch.index(...) or assaySearch.shard(...), so the search works from file://.
// Results are built with textContent only: nothing from the index is parsed as HTML.
(function () {
  "use strict";
  var MAX_SHOWN = 200;
  var items = [];
  var shards = 0;
  var loaded = null;
  var timer = null;
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");

  function add(entries) {
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i];
      items.push({ kind: e[0], title: e[1], detail: e[2], href: e[3],
                   text: (e[1] + " " + e[2]).toLowerCase() });
    }
  }

  function loadShard(n) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "search/findings-" + n + ".js";
      s.onload = resolve;
      s.onerror = function () { reject(new Error("cannot load " + s.src)); };
      document.body.appendChild(s);
    });
  }

  function loadFindings() {
    if (!loaded) {
      var chain = Promise.resolve();
      for (var n = 0; n < shards; n++) {
        (function (k) {
          chain = chain.then(function () {
            status.textContent = "Loading the findings index (" + (k + 1) + " of " + shards + ")…";
            return loadShard(k);
          });
        })(n);
      }
      loaded = chain;
    }
    return loaded;
  }

  function show(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (terms.join("").length < 2) {
      status.textContent = "Type at least two characters; every word must match.";
      return;
    }
    var found = 0;
    for (var i = 0; i < items.length; i++) {
      var it = items[i];
      var all = true;
      for (var t = 0; t < terms.length; t++) {
        if (it.text.indexOf(terms[t]) < 0) { all = false; break; }
      }
      if (!all) { continue; }
      found++;
      if (found > MAX_SHOWN) { continue; }
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind kind-" + it.kind;
      kind.textContent = it.kind;
      var a = document.createElement("a");
      a.href = it.href;
      a.textContent = it.title;
      var detail = document.createElement("div");
      detail.className = "detail";
      detail.textContent = it.detail;
      li.appendChild(kind);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
      li.appendChild(detail);
      list.appendChild(li);
    }
    status.textContent = found === 0 ? "No match." :
      found + (found === 1 ? " match" : " matches") +
      (found > MAX_SHOWN ? "; showing the first " + MAX_SHOWN + ", add words to narrow it." : ".");
  }

  function run() {
    var query = input.value;
    loadFindings().then(function () { show(query); }, function (err) {
      status.textContent = "The findings index could not be loaded (" + err.message + "); searching the rest.";
      show(query);
    });
  }

  window.assaySearch = {
    index: function (data) {
      shards = data.shards;
      add(data.items);
      var q = new URLSearchParams(window.location.search).get("q");
      if (q) {
        input.value = q;
        run();
      }
    },
    shard: add
  };

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
})();
