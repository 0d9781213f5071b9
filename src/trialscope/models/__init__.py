"""Model providers: send a chat request, get text and usage back."""
