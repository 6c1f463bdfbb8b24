"""The base every Python test of hashsim builds on: one temporary folder per test class.

CTest (tests/python/CMakeLists.txt) gives each test module its own HASHSIM_TEST_TMP, so tests run in
parallel never share files; without it (a manual run) the system's temporary folder is used.
"""
import os
import shutil
import tempfile
import unittest


def test_root():
    """The folder this test module owns (created when missing)."""
    root = os.environ.get("HASHSIM_TEST_TMP") or tempfile.gettempdir()
    os.makedirs(root, exist_ok=True)
    return root


class TempDirTestCase(unittest.TestCase):
    """cls.tmp: a fresh folder under test_root() for the class, removed after its last test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(dir=test_root())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def subdir(self, name):
        """A new folder cls.tmp/name for one test."""
        path = os.path.join(self.tmp, name)
        os.makedirs(path, exist_ok=False)
        return path
