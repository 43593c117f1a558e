"""Middleware of our own."""

from django.shortcuts import redirect
from django.urls import Resolver404, resolve


class PostOnlyPageMiddleware:
    """A page that only takes a form's POST (a scorecard's submit, a decision),
    opened with GET, goes to the page its form belongs to, one level up, instead
    of a bare 405 ("HTTP ERROR 405" in the browser): the language switch returns
    to the current address, which is that POST's once the form came back with
    its errors, and so does Enter in the address bar. The API keeps its 405."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 405
            and not request.path.startswith("/api/")
        ):
            parent = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
            try:
                resolve(parent)
            except Resolver404:
                return response
            return redirect(parent)
        return response
