"""s3tester: which parts of the S3 API does this endpoint get right, and did that change?"""

__version__ = "0.1.0"
