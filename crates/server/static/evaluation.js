// Keeps an expert's sheet safe for a whole afternoon: every change is kept in this browser at
// once, and sent to the platform every 20 seconds while there is something new. A draft the
// platform has not received survives a reload or a dropped connection and is sent when it can.
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form) return;
  // One draft per expert and lot: a shared PC in an evaluation room never hands one expert's
  // draft to another.
  var key = "ggzy-sheet-" + form.dataset.lot + "-" + form.dataset.expert;
  var status = document.getElementById("save-state");
  var dirty = false;

  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.name === "action") return;
      if (el.type === "radio") { if (el.checked) data[el.name] = el.value; }
      else data[el.name] = el.value;
    });
    return data;
  }

  function restore(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data)) return;
      if (el.type === "radio") el.checked = data[el.name] === el.value;
      else el.value = data[el.name];
    });
  }

  function say(text) { if (status) status.textContent = " " + text; }

  // Back from a save the platform accepted: the draft is no longer needed.
  if (/[?&]done=saved\b/.test(location.search)) localStorage.removeItem(key);
  var saved = localStorage.getItem(key);
  if (saved) {
    try { restore(JSON.parse(saved)); dirty = true; say("已恢复本机暂存的草稿，稍后自动提交。"); }
    catch (e) { localStorage.removeItem(key); }
  }

  form.addEventListener("input", function () {
    localStorage.setItem(key, JSON.stringify(fields()));
    dirty = true;
    say("有未提交的修改（已暂存在本机）");
  });
  // A submitted form keeps its draft until the platform confirms (see above): a refused save
  // loses nothing.

  function send() {
    if (!dirty || !navigator.onLine) { if (dirty) say("网络中断，修改已暂存在本机"); return; }
    var body = new URLSearchParams(new FormData(form));
    dirty = false;
    // `form.action` would be the hidden input named "action": read the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-autosave": "1" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 204) {
        localStorage.removeItem(key);
        say("已自动保存 " + new Date().toLocaleTimeString("zh-CN"));
      } else {
        dirty = true;
        response.json().then(function (e) { say("自动保存未成功：" + (e.message || response.status)); },
                             function () { say("自动保存未成功（" + response.status + "）"); });
      }
    }, function () { dirty = true; say("网络中断，修改已暂存在本机"); });
  }
  setInterval(send, 20000);
  window.addEventListener("online", send);
})();
