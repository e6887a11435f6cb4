"""TensorBoard as a reader sees it: a server on loopback and a headless browser on its pages.

Importing it runs nothing; import its modules (``from tfbasics.board import ...``)."""
