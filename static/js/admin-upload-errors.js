/* Admin editor: show why an image upload was refused. markdownx only inserts "Invalid response"
   into the note; the server's reason ({"image": ["..."]}) comes with its fileUploadError event. */
(function () {
  "use strict";
  var PLACEHOLDER = "Invalid response";

  function noteFor(editor) {
    var id = editor.id + "-upload-error";
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement("p");
      note.id = id;
      note.className = "errornote upload-error";
      note.setAttribute("role", "alert");
      editor.parentNode.insertBefore(note, editor);
    }
    return note;
  }

  function reasonOf(detail) {
    var response = detail && detail[0];
    if (response && typeof response === "object") {
      var messages = [];
      Object.keys(response).forEach(function (field) {
        messages = messages.concat(response[field]);
      });
      if (messages.length) return messages.join(" ");
    }
    return "网络或服务器错误，请稍后再试。";
  }

  /* markdownx inserts its placeholder right after the event: take it out of the note again. */
  function removePlaceholder(editor) {
    var end = editor.selectionStart;
    var start = end - PLACEHOLDER.length;
    if (start >= 0 && editor.value.slice(start, end) === PLACEHOLDER) {
      editor.value = editor.value.slice(0, start) + editor.value.slice(end);
      editor.selectionStart = editor.selectionEnd = start;
      editor.dispatchEvent(new Event("input"));
    }
  }

  function setup(container) {
    var editor = container.querySelector(".markdownx-editor");
    if (!editor || container.hasAttribute("data-upload-errors")) return;
    container.setAttribute("data-upload-errors", "");
    function onError(event) {
      var note = noteFor(editor);
      note.textContent = "图片上传失败：" + reasonOf(event.detail);
      note.hidden = false;
      note.style.display = "";
      window.setTimeout(function () {
        removePlaceholder(editor);
      }, 0);
    }
    container.addEventListener("markdownx.fileUploadError", onError);
    container.addEventListener("fileUploadError", onError);
    container.addEventListener("markdownx.fileUploadEnd", function () {
      var note = document.getElementById(editor.id + "-upload-error");
      if (note) {
        note.hidden = true;
        /* The admin's .errornote sets display, which would override the hidden attribute. */
        note.style.display = "none";
      }
    });
  }

  function setupAll() {
    document.querySelectorAll(".markdownx").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
