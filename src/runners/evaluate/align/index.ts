// 5-point face alignment exactly as insightface's eval_ijbc.py does it (skimage + OpenCV).
export { ALIGNED_SIZE, ARCFACE_TEMPLATE } from "./arcface-template";
export { alignLooseCrop } from "./align-face";
export { imreadColor, MAX_CROP_PIXELS } from "./imread";
export { AlignmentError, estimateSimilarity } from "./similarity-transform";
export { invertAffine, warpAffineBilinear, type Image8u3 } from "./warp-affine";
