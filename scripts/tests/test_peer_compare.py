"""Tests of scripts/peer_compare.py's peers; they skip where numpy or scikit-learn is missing.

    /usr/bin/python3 -m unittest discover -s scripts/tests -v
"""
import importlib.util
import unittest

import scripts_under_test


def rows(shapes):
    """Rows of the neutral CSV for (m, n, k) shapes, timed as 1 us + 2mnk at 1e6 flop/us with a shape-seeded wobble."""
    return [["t", "G", "bf16", str(m), str(n), str(k),
             repr(1 + 2 * m * n * k / 1e6 * (1 + (m * 7 + n * 3 + k) % 10 / 50)), ""] for m, n, k in shapes]


@unittest.skipUnless(importlib.util.find_spec("numpy") and importlib.util.find_spec("sklearn"),
                     "numpy and scikit-learn are needed (Debian: apt-get install python3-sklearn)")
class PeersTest(unittest.TestCase):
    def setUp(self):
        self.pc = scripts_under_test.load("peer_compare")
        shapes = [(m, n, k) for m in (1, 4, 16, 64, 256, 1024) for n in (256, 1024, 4096) for k in (512, 2048, 8192)]
        self.train, self.test = self.pc.split(rows(shapes))
        self.assertTrue(self.test, "the crc32 split holds some shapes out")

    def test_one_seed_gives_the_three_peers_only(self):
        result = self.pc.peers(self.train, self.test)

        self.assertEqual(set(result), {"rf", "rflog", "knn"})
        self.assertEqual(result["rf"]["count"], len(self.test))

    def test_more_seeds_give_each_forests_median_per_seed_starting_with_the_tables_one(self):
        result = self.pc.peers(self.train, self.test, seeds=3)

        medians = result["forest_seed_medians"]
        self.assertEqual(set(medians), {"rf", "rflog"})
        for name in ("rf", "rflog"):
            self.assertEqual(len(medians[name]), 3)
            # random_state 0 is the forest of the table and the bar
            self.assertEqual(medians[name][0], result[name]["median_ape_pct"])
        # the same forest as without seeds (up to the last bits: its trees are summed in parallel, in any order)
        alone = self.pc.peers(self.train, self.test)["rf"]
        for stat in ("median_ape_pct", "p90_ape_pct", "max_ape_pct"):
            self.assertAlmostEqual(alone[stat], result["rf"][stat], delta=1e-9 * result["rf"][stat])


if __name__ == "__main__":
    unittest.main()
