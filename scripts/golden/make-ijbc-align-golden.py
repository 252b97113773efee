#!/usr/bin/python3
"""Writes test/evaluation/golden/ijbc/: an IJB-C release in miniature (IJBC/loose_crop/ +
IJBC/meta/), the 5-point alignment of every crop as insightface's eval_ijbc.py does it, and the
TAR@FMR of the whole pipeline on it with the embedding fixture run in numpy.

Run with Debian's interpreter and packages (apt-get install python3-opencv python3-skimage
python3-sklearn), from the repository root:

    /usr/bin/python3 scripts/golden/make-ijbc-align-golden.py

Generated with CPython 3.11.2, numpy 1.24.2, OpenCV 4.6.0 (Debian, no IPP, baseline SSE2),
scikit-image 0.19.3, scikit-learn 1.2.1 (x86-64). The fixture's weights come from
scripts/golden/write-embedding-fixture-weights.ts (run through npx tsx when missing).

The reference code below is copied from insightface recognition/arcface_torch/eval_ijbc.py
(class Embedding, the image loop of get_image_feature, forward_db). Every departure is marked
"# CHANGED:" or "# ADDED:". The one that matters: the golden M is skimage's _umeyama run in
float64 on the float32 landmarks and template (cast, not recomputed), because _umeyama on float32
inputs runs the SVD in float32, whose last bits depend on the LAPACK build. alignment.json records
skimage's float32 M too, and how many pixels the crops change when it is used instead.
"""
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import cv2
import numpy as np
import skimage
import sklearn
from skimage import transform as trans
from skimage.transform._geometric import _umeyama

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "test", "evaluation", "golden", "ijbc")
RELEASE = os.path.join(OUT, "IJBC")
IMG_PATH = os.path.join(RELEASE, "loose_crop")
META = os.path.join(RELEASE, "meta")
ALIGNED = os.path.join(OUT, "aligned")
DIM, SEED = 32, 11

VERSIONS = {
    "python": sys.version.split()[0],
    "numpy": np.__version__,
    "opencv": cv2.__version__,
    "skimage": skimage.__version__,
    "sklearn": sklearn.__version__,
}

# The template pooling, pair scoring and TAR readout copied from eval_ijbc.py live in the metrics
# golden script; reuse them rather than copying them twice.
_spec = importlib.util.spec_from_file_location("metrics_golden", os.path.join(os.path.dirname(__file__), "make-metrics-golden.py"))
metrics_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(metrics_golden)


# =============================================================================================
# insightface recognition/arcface_torch/eval_ijbc.py (copied)
# =============================================================================================
class Embedding(object):
    def __init__(self, prefix=None, data_shape=(3, 112, 112), batch_size=1):  # CHANGED: no model to load
        image_size = (112, 112)
        self.image_size = image_size
        # CHANGED: the torch model is replaced by the fixture in numpy (fixture_forward below)
        src = np.array([
            [30.2946, 51.6963],
            [65.5318, 51.5014],
            [48.0252, 71.7366],
            [33.5493, 92.3655],
            [62.7299, 92.2041]], dtype=np.float32)
        src[:, 0] += 8.0
        self.src = src
        self.batch_size = batch_size
        self.data_shape = data_shape

    def get(self, rimg, landmark, float64_m=True):  # CHANGED: + float64_m
        assert landmark.shape[0] == 68 or landmark.shape[0] == 5
        assert landmark.shape[1] == 2
        if landmark.shape[0] == 68:
            landmark5 = np.zeros((5, 2), dtype=np.float32)
            landmark5[0] = (landmark[36] + landmark[39]) / 2
            landmark5[1] = (landmark[42] + landmark[45]) / 2
            landmark5[2] = landmark[30]
            landmark5[3] = landmark[48]
            landmark5[4] = landmark[54]
        else:
            landmark5 = landmark
        tform = trans.SimilarityTransform()
        tform.estimate(landmark5, self.src)
        M = tform.params[0:2, :]
        if float64_m:  # ADDED: the same estimate in float64 from the same float32 inputs
            M = _umeyama(landmark5.astype(np.float64), self.src.astype(np.float64), True)[0:2, :]
        img = cv2.warpAffine(rimg,
                             M, (self.image_size[1], self.image_size[0]),
                             borderValue=0.0)
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        img_flip = np.fliplr(img)
        img = np.transpose(img, (2, 0, 1))  # 3*112*112, RGB
        img_flip = np.transpose(img_flip, (2, 0, 1))
        input_blob = np.zeros((2, 3, self.image_size[1], self.image_size[0]), dtype=np.uint8)
        input_blob[0] = img
        input_blob[1] = img_flip
        return input_blob

    def forward_db(self, batch_data, weight, bias):  # CHANGED: + the fixture's weights
        imgs = batch_data.astype(np.float32)  # CHANGED: numpy instead of torch.Tensor(...).cuda()
        imgs = imgs / np.float32(255)  # CHANGED: was imgs.div_(255).sub_(0.5).div_(0.5)
        imgs = imgs - np.float32(0.5)
        imgs = imgs / np.float32(0.5)
        feat = fixture_forward(imgs, weight, bias)  # CHANGED: was self.model(imgs)
        feat = feat.reshape([self.batch_size, 2 * feat.shape[1]])
        return feat  # CHANGED: numpy already


def get_image_feature(img_path, files_list, weight, bias, float64_m=True):  # CHANGED: weights, float64_m; no batching
    batch_size = 1  # CHANGED: one image per batch
    data_shape = (3, 112, 112)

    files = files_list
    print('files:', len(files))
    # CHANGED: the rare_size tail handling is gone (batch size 1)
    faceness_scores = []
    img_feats = np.empty((len(files), 2 * DIM), dtype=np.float32)
    embedding = Embedding(None, data_shape, batch_size)
    blobs = []  # ADDED
    for img_index, each_line in enumerate(files):
        name_lmk_score = each_line.strip().split(' ')
        img_name = os.path.join(img_path, name_lmk_score[0])
        img = cv2.imread(img_name)
        lmk = np.array([float(x) for x in name_lmk_score[1:-1]],
                       dtype=np.float32)
        lmk = lmk.reshape((5, 2))
        input_blob = embedding.get(img, lmk, float64_m)
        blobs.append(input_blob)  # ADDED
        batch_data = input_blob[None].reshape((2, 3, 112, 112))  # CHANGED: one image
        img_feats[img_index] = embedding.forward_db(batch_data, weight, bias)
        faceness_scores.append(name_lmk_score[-1])
    faceness_scores = np.array(faceness_scores).astype(np.float32)
    return img_feats, faceness_scores, blobs


# =============================================================================================
# The embedding fixture (src/fixtures/embedding-models.ts): AveragePool to 8x8, Flatten, Gemm
# =============================================================================================
def fixture_forward(x, weight, bias):
    n, c, h, w = x.shape
    pool = h // 8
    pooled = x.reshape(n, c, 8, pool, 8, pool).mean(axis=(3, 5), dtype=np.float64).astype(np.float32)
    return pooled.reshape(n, c * 64) @ weight + bias


def read_npy_weights():
    wpath = os.path.join(OUT, "model-weight.npy")
    if not os.path.exists(wpath):
        subprocess.check_call(["npx", "tsx", "scripts/golden/write-embedding-fixture-weights.ts", OUT, str(DIM), str(SEED)], cwd=ROOT)
    return np.load(wpath), np.load(os.path.join(OUT, "model-bias.npy"))


# =============================================================================================
# A small IJB-C-like release: identities drawn as smooth colour patterns in the aligned frame,
# then warped into loose crops by a random similarity (the alignment has to undo it)
# =============================================================================================
TEMPLATE = Embedding().src.astype(np.float64)
FORMATS = ["jpg", "jpg-grey", "png", "png-grey", "png-rgba", "png-16bit"]


def identity_face(rng, identity):
    base = rng.uniform(30, 225, (6, 6, 3)).astype(np.float32)
    face = cv2.resize(base, (112, 112), interpolation=cv2.INTER_CUBIC)
    yy, xx = np.mgrid[0:112, 0:112]
    for (x, y) in TEMPLATE:  # darker blobs where the landmarks are
        face -= 60 * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / 30.0)[..., None]
    return np.clip(face, 0, 255)


def loose_crop(rng, face, index):
    w, h = int(rng.integers(64, 132)), int(rng.integers(64, 132))
    scale = rng.uniform(0.7, 1.5)
    angle = rng.uniform(-0.35, 0.35)
    c, s = scale * np.cos(angle), scale * np.sin(angle)
    centre = np.array([56.0, 72.0])
    shift = rng.uniform(-0.15, 0.15, 2) * [w, h]
    if index % 5 == 4:  # the face runs off the crop: the warp reads past its edges
        shift = np.array([0.45 * w * (1 if index % 2 else -1), 0.3 * h])
    A = np.array([[c, -s, 0.0], [s, c, 0.0]])
    A[:, 2] = np.array([w / 2, h / 2]) + shift - A[:, :2] @ centre
    noisy = face + rng.normal(0, 2, face.shape)
    crop = cv2.warpAffine(np.clip(noisy, 0, 255).astype(np.uint8), A, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)
    points = TEMPLATE @ A[:, :2].T + A[:, 2] + rng.normal(0, 1.2, (5, 2))
    return crop, points


def write_crop(path_no_ext, crop, fmt, rng):
    if fmt == "jpg":
        name = path_no_ext + ".jpg"
        cv2.imwrite(name, crop, [cv2.IMWRITE_JPEG_QUALITY, 85])
    elif fmt == "jpg-grey":
        name = path_no_ext + ".jpg"
        cv2.imwrite(name, cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), [cv2.IMWRITE_JPEG_QUALITY, 85])
    elif fmt == "png":
        name = path_no_ext + ".png"
        cv2.imwrite(name, crop)
    elif fmt == "png-grey":
        name = path_no_ext + ".png"
        cv2.imwrite(name, cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY))
    elif fmt == "png-rgba":
        name = path_no_ext + ".png"
        alpha = np.full(crop.shape[:2], 200, dtype=np.uint8)
        alpha[:, : crop.shape[1] // 2] = 40  # cv2.imread drops alpha without blending
        cv2.imwrite(name, np.dstack([crop, alpha]))
    else:
        name = path_no_ext + ".png"
        yy, xx = np.mgrid[0:crop.shape[0], 0:crop.shape[1]]
        low = ((xx * 7 + yy * 13) % 256)[..., None].astype(np.uint16)  # the low byte cv2.imread drops
        wide = crop.astype(np.uint16) * 256 + low
        cv2.imwrite(name, wide)
    return os.path.basename(name)


def make_release(rng):
    shutil.rmtree(RELEASE, ignore_errors=True)
    os.makedirs(IMG_PATH)
    os.makedirs(META)
    face_lines, lmk_lines = [], []
    owner = {}
    image = 0
    media = 500
    for identity in range(6):
        face = identity_face(rng, identity)
        for t in range(2):
            template = 1 + identity * 2 + t
            owner[template] = identity
            for m in range(2):
                media += 1
                for k in range(1 + (identity + t + m) % 2):
                    image += 1
                    crop, points = loose_crop(rng, face, image)
                    name = write_crop(os.path.join(IMG_PATH, str(image)), crop, FORMATS[image % len(FORMATS)], rng)
                    score = rng.uniform(0.4, 1.0)
                    face_lines.append("%s %d %d" % (name, template, media))
                    lmk_lines.append(name + " " + " ".join("%.3f" % v for v in points.ravel()) + " %.6f" % score)
    ids = sorted(owner)
    pairs = [(a, b, int(owner[a] == owner[b])) for i, a in enumerate(ids) for b in ids[i + 1:]]
    with open(os.path.join(META, "ijbc_face_tid_mid.txt"), "w") as f:
        f.write("\n".join(face_lines) + "\n")
    with open(os.path.join(META, "ijbc_name_5pts_score.txt"), "w") as f:
        f.write("\n".join(lmk_lines) + "\n")
    with open(os.path.join(META, "ijbc_template_pair_label.txt"), "w") as f:
        f.write("\n".join("%d %d %d" % p for p in pairs) + "\n")


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def fls(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def write_json(name, obj):
    path = os.path.join(OUT, name)
    obj = {"generator": "scripts/golden/make-ijbc-align-golden.py", "versions": VERSIONS, **obj}
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (name, os.path.getsize(path)))


def pipeline_tar(img_feats, faceness_scores):
    """eval_ijbc.py step 3 onwards with its defaults (flip test, norm score, detector score)."""
    meta = np.loadtxt(os.path.join(META, "ijbc_face_tid_mid.txt"), dtype=str)
    templates = meta[:, 1].astype(int)
    medias = meta[:, 2].astype(int)
    pairs = np.loadtxt(os.path.join(META, "ijbc_template_pair_label.txt"), dtype=int)
    p1, p2, label = pairs[:, 0], pairs[:, 1], pairs[:, 2]
    img_input_feats = img_feats[:, 0:img_feats.shape[1] // 2] + img_feats[:, img_feats.shape[1] // 2:]
    img_input_feats = img_input_feats * faceness_scores[:, np.newaxis]
    template_norm_feats, unique_templates = metrics_golden.image2template_feature(img_input_feats, templates, medias)
    score = metrics_golden.verification(template_norm_feats, unique_templates, p1, p2)
    tars, idx, _ = metrics_golden.ijb_readout(label, score)
    return tars, idx, score


def main():
    rng = np.random.default_rng(20261130)
    make_release(rng)
    weight, bias = read_npy_weights()
    shutil.rmtree(ALIGNED, ignore_errors=True)
    os.makedirs(ALIGNED)
    lines = open(os.path.join(META, "ijbc_name_5pts_score.txt")).readlines()
    embedding = Embedding()

    images = []
    changed_pixels = 0
    changed_images = 0
    for each_line in lines:
        name_lmk_score = each_line.strip().split(' ')
        img = cv2.imread(os.path.join(IMG_PATH, name_lmk_score[0]))
        lmk = np.array([float(x) for x in name_lmk_score[1:-1]], dtype=np.float32).reshape((5, 2))
        tform = trans.SimilarityTransform()
        tform.estimate(lmk, embedding.src)
        m32 = tform.params[0:2, :]
        m64 = _umeyama(lmk.astype(np.float64), embedding.src.astype(np.float64), True)[0:2, :]
        a64 = cv2.warpAffine(img, m64, (112, 112), borderValue=0.0)
        a32 = cv2.warpAffine(img, m32, (112, 112), borderValue=0.0)
        diff = int(np.count_nonzero(a64 != a32))
        changed_pixels += diff
        changed_images += int(diff > 0)
        # Does the warp read outside the crop? Map the output corners back into the crop.
        inv = cv2.invertAffineTransform(m64)
        corners = np.array([[0, 0], [111, 0], [0, 111], [111, 111]], dtype=np.float64) @ inv[:, :2].T + inv[:, 2]
        h, w = img.shape[:2]
        past_edge = bool(np.any(corners < 0) or np.any(corners[:, 0] > w - 1) or np.any(corners[:, 1] > h - 1))
        stem = os.path.splitext(name_lmk_score[0])[0]
        if int(stem) <= len(FORMATS):  # one crop of each format kept as pixels, all as hashes
            cv2.imwrite(os.path.join(ALIGNED, stem + ".png"), a64)
        images.append({
            "name": name_lmk_score[0], "width": w, "height": h,
            "format": FORMATS[int(stem) % len(FORMATS)],
            "landmarks": fls(lmk), "imreadSha256": sha(img),
            "m64": fls(m64), "m32": fls(m32), "maxAbsM64MinusM32": float(np.max(np.abs(m64 - m32))),
            "alignedSha256": sha(a64), "readsPastEdge": past_edge,
            "valuesChangedWithFloat32M": diff,
        })
    assert any(i["readsPastEdge"] for i in images) and not all(i["readsPastEdge"] for i in images)

    feats64, faceness, _ = get_image_feature(IMG_PATH, lines, weight, bias, True)
    feats32, _, _ = get_image_feature(IMG_PATH, lines, weight, bias, False)
    tars, idx, score = pipeline_tar(feats64, faceness)
    tars32, _, _ = pipeline_tar(feats32, faceness)
    write_json("alignment.json", {
        "template": fls(embedding.src),
        "images": images,
        "float32M": {"imagesChanged": changed_images, "valuesChanged": changed_pixels, "valuesTotal": len(images) * 112 * 112 * 3},
    })
    write_json("pipeline.json", {
        "model": {"dimension": DIM, "seed": SEED, "outputs": "single", "channelOrder": "RGB"},
        "imageFeatures": fls(feats64), "faceness": fls(faceness),
        "scores": fls(score), "tar": fls(tars), "tarIndex": [int(i) for i in idx],
        "tarWithFloat32M": fls(tars32),
    })
    print("float32 M changes %d of %d values in %d of %d crops" % (changed_pixels, len(images) * 112 * 112 * 3, changed_images, len(images)))


if __name__ == "__main__":
    main()
