// The live auction page: server-sent events from /api/v1/auctions/{id}/live keep the current
// price, the phase, the bid history and the countdown up to date. Time is the server's: each
// message carries the server's clock, and the browser only measures the time elapsed since, so a
// wrong clock on this computer cannot make the sale look longer than it is. A dropped connection
// reconnects by itself and resumes after the last event it saw (Last-Event-ID). Bids are sent to
// the JSON API and the answer (accepted with its ledger place, or refused with the reason) is
// shown in place; without JavaScript the form posts and the page reloads.
(function () {
  "use strict";
  var root = document.getElementById("auction-live");
  if (!root || !window.performance) return;
  var id = root.getAttribute("data-auction");
  var offset = Number(root.getAttribute("data-now-ms")) - performance.now();
  var state = null;
  try { state = JSON.parse(document.getElementById("al-initial").textContent); } catch (e) { state = null; }
  function serverNow() { return performance.now() + offset; }
  function $(x) { return document.getElementById(x); }
  function yuan(fen) {
    var negative = fen < 0; fen = Math.abs(fen);
    var whole = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ("0" + (fen % 100)).slice(-2);
    return (negative ? "-" : "") + whole + "." + cents + " 元";
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function beijing(ms) {
    var d = new Date(ms + 8 * 3600 * 1000);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }
  function remainingText(ms) {
    if (ms <= 0) return "已截止";
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    s = s % 60;
    return (h > 0 ? h + " 小时 " : "") + m + " 分 " + s + " 秒";
  }
  function phase(now) {
    if (!state || !state.exists) return ["—", ""];
    if (state.result) return ["已结束", ""];
    if (now < state.start_ms) return ["未开始", "warn"];
    if (now < state.free_end_ms) return [state.method === "listing" ? "挂牌期" : "自由竞价", "ok"];
    if (now < state.deadline_ms) return ["限时竞价", "ok"];
    return ["竞价时间已到，待交易中心结束", "warn"];
  }
  function set(x, text) { var el = $(x); if (el && el.textContent !== text) el.textContent = text; }
  function row(bid) {
    var tr = document.createElement("tr");
    [["mono", bid.bidder], ["num", yuan(bid.price_fen)], ["nowrap", beijing(bid.at_ms)]].forEach(function (c) {
      var td = document.createElement("td"); td.className = c[0]; td.textContent = c[1]; tr.appendChild(td);
    });
    return tr;
  }
  function paint() {
    if (!state || !state.exists) return;
    if (state.current) {
      set("al-current", yuan(state.current.price_fen));
      set("al-bidder", state.current.bidder);
    }
    set("al-minimum", yuan(state.minimum_next_fen));
    if (state.method === "quota") set("al-clearing", yuan(state.clearing_fen));
    set("al-deadline", beijing(state.deadline_ms));
    set("al-accepted", String(state.accepted));
    set("al-refused", String(state.refused));
    set("al-registered", String(state.registered));
    var body = $("al-bids");
    if (body && state.recent) {
      while (body.firstChild) body.removeChild(body.firstChild);
      for (var i = state.recent.length - 1; i >= 0; i--) body.appendChild(row(state.recent[i]));
      var empty = $("al-empty");
      if (empty && state.recent.length) empty.parentNode.removeChild(empty);
    }
    if (state.result) {
      // The result and the revealed reserve are on the page once it reloads.
      if (!root.getAttribute("data-closed-seen")) {
        root.setAttribute("data-closed-seen", "1");
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    }
  }
  function tick() {
    var now = serverNow();
    var p = phase(now);
    var badge = $("al-phase");
    if (badge) { badge.textContent = p[0]; badge.className = "badge " + p[1]; }
    if (state && state.exists && !state.result) set("al-remaining", remainingText(state.deadline_ms - now));
  }
  var conn = $("al-conn");
  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource("/api/v1/auctions/" + encodeURIComponent(id) + "/live");
    source.addEventListener("open", function () { if (conn) conn.textContent = "· 实时连接"; });
    source.addEventListener("error", function () { if (conn) conn.textContent = "· 连接中断，正在重连…"; });
    source.addEventListener("state", function (e) {
      var data = JSON.parse(e.data);
      offset = data.now_ms - performance.now();
      state = data.state;
      paint(); tick();
    });
    source.addEventListener("tick", function (e) {
      offset = JSON.parse(e.data).now_ms - performance.now();
    });
    source.addEventListener("bids", function () {
      // Missed bids while disconnected: the next state event repaints the newest ones; the
      // complete history is on the records page.
      if (conn) conn.textContent = "· 已恢复连接";
    });
  }
  var form = $("bid-form");
  if (form && window.fetch) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var out = $("bid-result"), button = $("bid-submit");
      var text = form.elements.namedItem("price").value.replace(/[,，\s元]/g, "");
      if (!/^\d+(\.\d{1,2})?$/.test(text)) { out.textContent = "报价应为金额（元，最多两位小数）"; out.className = "small bad"; return; }
      var parts = text.split(".");
      var fen = Number(parts[0]) * 100 + Number(((parts[1] || "") + "00").slice(0, 2));
      var body = { price_fen: fen };
      var q = form.elements.namedItem("quantity");
      if (q) body.quantity = Number(q.value);
      button.disabled = true; out.textContent = "正在提交…"; out.className = "small";
      fetch("/api/v1/auctions/" + encodeURIComponent(id) + "/bids", {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": form.getAttribute("data-csrf") },
        body: JSON.stringify(body)
      }).then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
        .then(function (res) {
          if (res[0]) {
            out.textContent = "已接受：" + yuan(fen) + (res[1].receipt ? "（账本第 " + res[1].receipt.seq + " 条）" : "");
            out.className = "small ok";
          } else {
            out.textContent = "未接受：" + res[1].message + "（" + res[1].code + "）";
            out.className = "small bad";
          }
        })
        .catch(function () { out.textContent = "网络异常，报价是否送达请以报价记录为准，可重试。"; out.className = "small bad"; })
        .then(function () { button.disabled = false; });
    });
  }
  paint(); tick();
  setInterval(tick, 250);
  connect();
})();
