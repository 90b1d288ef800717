/* Images by paste, drop or the toolbar: uploaded through markdownx's checked upload view
   (articles/uploads.py), a placeholder at the cursor meanwhile, replaced by ![](url); when the
   server refuses, the placeholder goes and admin-upload-errors.js shows why (the events it
   listens to, as markdownx's own script sends them). */
const IMAGE_TYPES = /^image\//;
let serial = 0;

export function imageFiles(transfer) {
  return Array.from((transfer && transfer.files) || []).filter((file) => IMAGE_TYPES.test(file.type));
}

function signal(container, name, detail) {
  container.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
}

export function createUploader({ view, container, url, csrf, labels }) {
  function replacePlaceholder(placeholder, insert) {
    const at = view.state.doc.toString().indexOf(placeholder);
    if (at < 0) return false;
    view.dispatch({ changes: { from: at, to: at + placeholder.length, insert }, userEvent: "input" });
    return true;
  }

  async function upload(file, pos) {
    serial += 1;
    const placeholder = `![${labels.uploading || "Uploading"} ${file.name || "image"} #${serial}…]()`;
    const at = pos ?? view.state.selection.main.head;
    view.dispatch({
      changes: { from: at, insert: placeholder },
      selection: { anchor: at + placeholder.length },
      userEvent: "input",
    });
    const body = new FormData();
    body.append("image", file, file.name || "pasted.png");
    body.append("csrfmiddlewaretoken", csrf());
    let data = null;
    let ok = false;
    try {
      const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
      ok = response.ok;
      data = await response.json().catch(() => null);
    } catch (error) {
      data = null;
    }
    if (ok && data && data.image_code) {
      replacePlaceholder(placeholder, data.image_code);
      signal(container, "markdownx.fileUploadEnd", [data]);
    } else {
      replacePlaceholder(placeholder, "");
      signal(container, "markdownx.fileUploadError", [data]);
    }
  }

  return {
    uploadAll(files, pos) {
      return Promise.all(files.map((file) => upload(file, pos)));
    },
  };
}
