"""Static files for production: hashed names (cached for ever) and compressed copies.

whitenoise's CompressedManifestStaticFilesStorage, except that a vendored
script's ``sourceMappingURL`` comment is left as it is: the maps are not
shipped (static/vendor/), and a missing one must not stop collectstatic.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (extension, patterns)
        for extension, patterns in CompressedManifestStaticFilesStorage.patterns
        if extension != "*.js"
    )
