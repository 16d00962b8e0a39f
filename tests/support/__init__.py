"""What the tests and the bench share (the bench may import from here; tests never import bench)."""
