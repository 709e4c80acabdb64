"""``peacekg review``: a local web app in which an annotator reviews an article's draft annotations —
accept, edit or reject each statement, mention, entity and role, add mentions, statements and
reference individuals by selecting text — and saves them to the corpus's YAML (comments and order
kept; conditional, validated and atomic saves: kg.annotations.editing and kg.annotations.saving).

Like a notebook server it is started by the annotator and listens on 127.0.0.1 only; it is never
part of the public service (``peacekg serve``). Its parts:

- :mod:`~service.review.session`: what the app shows and changes (no Flask);
- :mod:`~service.review.accept_all`: which drafts "accept all valid" (``accept_valid``) accepts;
- :mod:`~service.review.api`: the JSON API and the page (``create_review_app``);
- :mod:`~service.review.cli`: the command, added to ``peacekg`` through the ``peacekg.commands``
  entry point (pyproject.toml).

The page's text selection and highlighting use @recogito/text-annotator (W3C Web Annotation
selectors), installed from npm by ``make install`` into service/web/node_modules and served from
there; nothing is loaded from another host. The page's script is a set of ES modules by concept
(static/review.js lists them), served as they are, without a bundler.
"""

from service.review.api import create_review_app, require_local_host

__all__ = ["create_review_app", "require_local_host"]
