"""Execute Markdown notebooks in posts_src/ and write plain Markdown blog posts.

The package knows nothing about the site generator: it writes Markdown, SVG/PNG
figures and executed .ipynb files that any static-site tool can render.
"""
