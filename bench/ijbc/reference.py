#!/usr/bin/python3
"""The numpy reference for the IJB-C bench: insightface eval_ijbc.py from precomputed features.

    /usr/bin/python3 bench/ijbc/reference.py DIR

Copied from insightface recognition/arcface_torch/eval_ijbc.py (read_template_media_list,
read_template_pair_list, image2template_feature, verification, the TAR@FAR readout); departures
are marked "# CHANGED:". Prints one JSON line: seconds, maxRssBytes (this process's peak), tar.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
import sklearn.preprocessing
from sklearn.metrics import roc_curve


def read_template_media_list(path):
    ijb_meta = pd.read_csv(path, sep=' ', header=None).values
    templates = ijb_meta[:, 1].astype(int)  # CHANGED: np.int is gone from numpy
    medias = ijb_meta[:, 2].astype(int)
    return templates, medias


def read_template_pair_list(path):
    pairs = pd.read_csv(path, sep=' ', header=None).values
    t1 = pairs[:, 0].astype(int)
    t2 = pairs[:, 1].astype(int)
    label = pairs[:, 2].astype(int)
    return t1, t2, label


def image2template_feature(img_feats=None, templates=None, medias=None):
    unique_templates = np.unique(templates)
    template_feats = np.zeros((len(unique_templates), img_feats.shape[1]))
    for count_template, uqt in enumerate(unique_templates):
        (ind_t,) = np.where(templates == uqt)
        face_norm_feats = img_feats[ind_t]
        face_medias = medias[ind_t]
        unique_medias, unique_media_counts = np.unique(face_medias, return_counts=True)
        media_norm_feats = []
        for u, ct in zip(unique_medias, unique_media_counts):
            (ind_m,) = np.where(face_medias == u)
            if ct == 1:
                media_norm_feats += [face_norm_feats[ind_m]]
            else:  # image features from the same video will be aggregated into one feature
                media_norm_feats += [np.mean(face_norm_feats[ind_m], axis=0, keepdims=True)]
        media_norm_feats = np.array(media_norm_feats)
        template_feats[count_template] = np.sum(media_norm_feats, axis=0)
    template_norm_feats = sklearn.preprocessing.normalize(template_feats)
    return template_norm_feats, unique_templates


def verification(template_norm_feats=None, unique_templates=None, p1=None, p2=None):
    template2id = np.zeros((max(unique_templates) + 1, 1), dtype=int)
    for count_template, uqt in enumerate(unique_templates):
        template2id[uqt] = count_template
    score = np.zeros((len(p1),))  # save cosine distance between pairs
    total_pairs = np.array(range(len(p1)))
    batchsize = 100000  # small batchsize instead of all pairs in one batch due to the memory limiation
    sublists = [total_pairs[i:i + batchsize] for i in range(0, len(p1), batchsize)]
    for c, s in enumerate(sublists):
        feat1 = template_norm_feats[template2id[p1[s]]]
        feat2 = template_norm_feats[template2id[p2[s]]]
        similarity_score = np.sum(feat1 * feat2, -1)
        score[s] = similarity_score.flatten()
    return score


def main(root):
    started = time.time()
    templates, medias = read_template_media_list(os.path.join(root, "meta", "ijbc_face_tid_mid.txt"))
    p1, p2, label = read_template_pair_list(os.path.join(root, "meta", "ijbc_template_pair_label.txt"))
    # CHANGED: features from the .npy files instead of get_image_feature; faceness from the same file it reads
    lines = open(os.path.join(root, "meta", "ijbc_name_5pts_score.txt")).readlines()
    faceness_scores = np.array([line.strip().split(' ')[-1] for line in lines]).astype(np.float32)
    # use_flip_test (F2: add), use_norm_score True, use_detector_score True: the defaults
    img_input_feats = np.load(os.path.join(root, "features-original.npy"))  # CHANGED: was img_feats[:, :d] + img_feats[:, d:]
    img_input_feats += np.load(os.path.join(root, "features-flipped.npy"))
    img_input_feats = img_input_feats * faceness_scores[:, np.newaxis]
    template_norm_feats, unique_templates = image2template_feature(img_input_feats, templates, medias)
    score = verification(template_norm_feats, unique_templates, p1, p2)
    x_labels = [10 ** -6, 10 ** -5, 10 ** -4, 10 ** -3, 10 ** -2, 10 ** -1]
    fpr, tpr, _ = roc_curve(label, score)
    fpr = np.flipud(fpr)
    tpr = np.flipud(tpr)  # select largest tpr at same fpr
    tar = []
    for fpr_iter in np.arange(len(x_labels)):
        _, min_index = min(list(zip(abs(fpr - x_labels[fpr_iter]), range(len(fpr)))))
        tar.append(float(tpr[min_index]))  # CHANGED: the value, not '%.2f' % (tpr * 100)
    seconds = time.time() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "cpuSeconds": usage.ru_utime + usage.ru_stime,
                      "maxRssBytes": usage.ru_maxrss * 1024, "tar": tar}))


if __name__ == "__main__":
    main(sys.argv[1])
