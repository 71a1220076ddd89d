/* photos.js: a review's photo, downscaled in the browser and uploaded with its progress. reviews.js
 * imports this module when a shopper first picks a photo, so that pages where nobody does never
 * load it; the fetch of this small cached file is nothing beside the upload that follows. */

const MAX_EDGE = 2048;

/** Downscale `file`, upload it to the shop's API, report progress (0..1); answers the photo. */
export async function send(api, file, progress) {
  return upload(api, await shrink(file), progress);
}

/** Downscaled before upload: less to send from a phone. */
async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 1.5e6) return file;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const pen = canvas.getContext("2d");
    pen.fillStyle = "#fff";  // a transparent PNG becomes a JPEG on white, not on black
    pen.fillRect(0, 0, canvas.width, canvas.height);
    pen.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return await new Promise((done) => canvas.toBlob((blob) => done(blob || file), "image/jpeg", 0.86));
  } catch {
    return file;  // not decodable here: the server has the last word
  }
}

/** XMLHttpRequest rather than fetch: only it reports upload progress. */
function upload(api, blob, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const body = new FormData();
    body.append("photo", blob, blob.name || "photo.jpg");
    xhr.open("POST", `${api}photos`);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => event.lengthComputable && progress(event.loaded / event.total);
    xhr.onload = () => (xhr.status < 300 ? resolve(xhr.response)
      : reject({ ...xhr.response, status: xhr.status }));
    xhr.onerror = () => reject({});
    xhr.send(body);
  });
}
