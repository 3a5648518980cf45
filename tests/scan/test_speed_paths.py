"""The scanner's faster paths give exactly what the plain computations give (speed work
must never change a reading), and the stored JPEG encoded on a background thread is the
same bytes, survives pickling and a fork."""

from __future__ import annotations

import os
import pickle

import numpy as np

from scanner import rings
from scanner.images import encode_jpeg, encode_later
from scanner.results import PageResult


def test_band_median_is_the_median_of_the_converted_bands():
    rng = np.random.default_rng(3)
    for r_px, gap in ((9.4, 1e9), (9.4, 27.0), (21.0, 1e9), (36.5, 1e9)):
        g = rings.ring_geometry(r_px, gap)
        side = 2 * g.half + 1
        raw = rng.integers(0, 256, (17, side, side), dtype=np.uint8)
        raw[::3] = rng.integers(200, 215, (len(raw[::3]), side, side), dtype=np.uint8)
        paper = rng.integers(180, 250, 17).astype(np.float32)
        scale = 1.0 / 143.0
        sp = g.span

        parts = [raw[:, g.band_near, sp], raw[:, g.band_far, sp], raw[:, sp, g.band_near],
                 raw[:, sp, g.band_far]]
        bands = np.concatenate([((paper[:, None, None] - px.astype(np.float32)) * scale)
                                .reshape(17, -1) for px in parts], axis=1)
        assert np.array_equal(rings.band_median(raw, g, paper, scale),
                              np.median(bands, axis=1))


def test_least_above_is_the_float_product_test():
    rng = np.random.default_rng(4)
    factor = (rng.uniform(0.002, 0.03, 200)).astype(np.float32)
    steps = np.arange(256, dtype=np.uint8)
    want = steps[None, :].astype(np.float32) * factor[:, None] > 0.15
    got = steps[None, :] >= rings.least_above(factor, 0.15)[:, None]
    assert np.array_equal(got, want)
    assert np.array_equal(rings.less_baselines([np.ones((6, 5), np.float32)] * 4)[0],
                          np.zeros((6, 5), np.float32))


def test_windows_are_the_pixels_round_each_centre():
    img = (np.arange(120 * 90) % 251).astype(np.uint8).reshape(120, 90)
    cx, cy = np.array([10.4, 45.0, 80.0]), np.array([12.0, 60.6, 100.0])
    win = rings.windows_around(img, cx, cy, 5)
    for k in range(3):
        y, x = round(cy[k]), round(cx[k])
        assert np.array_equal(win[k], img[y - 5:y + 6, x - 5:x + 6])
    edge = rings.windows_around(img, np.array([2.0]), np.array([3.0]), 5)  # clipped at the edge
    assert edge.shape == (1, 11, 11)
    assert edge[0, 5, 5] == img[3, 2]


def test_the_stored_jpeg_from_the_background_thread_is_the_same_bytes():
    img = (np.arange(300 * 400) % 251).astype(np.uint8).reshape(300, 400)
    page = PageResult("a.pdf", 0, "S1", 1, 1, 1, "fp")
    page.image = img
    page._jpeg = encode_later(img, 80)
    assert page.image_jpeg() == encode_jpeg(img, 80)
    assert page.image_jpeg(60) == encode_jpeg(img, 60)
    copy = pickle.loads(pickle.dumps(page))  # the pending encoding is not pickled
    assert copy._jpeg is None
    assert copy.image_jpeg() == encode_jpeg(img, 80)
    pid = os.fork()
    if pid == 0:  # a forked worker has no encoding thread: it must start its own
        os._exit(0 if encode_later(img, 80).result(timeout=30) == encode_jpeg(img, 80) else 3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
