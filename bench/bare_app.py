"""The baseline: a bare Flask JSON endpoint, served the same way as the service."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/json")
def hello():
    return jsonify(message="hello", items=[1, 2, 3])
