// The suggested crop of a photo drawn on a canvas, from the citizen's own file on the check
// page or from the stored photo on an application's photo step. Coordinates are those of the
// upright picture, as the check measured them.
(function () {
  "use strict";
  window.lingshiCropPreview = async function (source, box, canvas) {
    const picture = await createImageBitmap(source, { imageOrientation: "from-image" });
    canvas.width = box.width;
    canvas.height = box.height;
    canvas.getContext("2d").drawImage(picture, box.x, box.y, box.width, box.height, 0, 0, box.width, box.height);
  };

  // On the photo step: the preview beside the button that applies the crop.
  const preview = document.querySelector("canvas.crop-preview[data-photo]");
  if (!preview) return;
  const photo = document.querySelector(preview.dataset.photo);
  const box = { x: +preview.dataset.x, y: +preview.dataset.y, width: +preview.dataset.width, height: +preview.dataset.height };
  const draw = function () { window.lingshiCropPreview(photo, box, preview); };
  if (photo.complete) draw(); else photo.addEventListener("load", draw);
})();
