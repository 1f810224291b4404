// Live countdowns to a deadline. Each element carries the milliseconds left by the server's
// clock when the page was made; the browser only measures the time elapsed since then, so a
// wrong clock on this computer cannot make a deadline look later than it is.
(function () {
  "use strict";
  var items = document.querySelectorAll("[data-remaining-ms]");
  if (!items.length || !window.performance) return;
  var start = performance.now();
  function text(ms) {
    if (ms <= 0) return "已截止";
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    s = s % 60;
    if (d > 0) return d + " 天 " + h + " 小时 " + m + " 分 " + s + " 秒";
    if (h > 0) return h + " 小时 " + m + " 分 " + s + " 秒";
    return m + " 分 " + s + " 秒";
  }
  function tick() {
    var elapsed = performance.now() - start;
    for (var i = 0; i < items.length; i++) {
      var left = Number(items[i].getAttribute("data-remaining-ms")) - elapsed;
      items[i].textContent = text(left);
      if (left <= 0) items[i].classList.add("expired");
    }
  }
  tick();
  setInterval(tick, 1000);
})();
