"""The composition root: the one place that turns Settings into working parts.

The API, the UI, the CLI and the evaluation all call `build_assistant`. Parts are built on first use,
so importing or constructing this is cheap and nothing loads a model until it is needed.
"""

from __future__ import annotations

from functools import cached_property

from .settings import Settings


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()

    @cached_property
    def embeddings(self):
        from .library.embeddings import build_embeddings

        return build_embeddings(self.settings)

    @cached_property
    def store(self):
        from .library.store import Store, make_client

        return Store(make_client(self.settings), self.settings.collection, self.settings.embedding_model)

    @cached_property
    def retriever(self):
        from .library.retrieve import HybridRetriever

        s = self.settings
        return HybridRetriever(
            store=self.store, embeddings=self.embeddings, keywords=self.keywords, k=s.top_k, fetch_k=s.fetch_k, reranker=self.reranker
        )

    @cached_property
    def keywords(self):
        from .library.keywords import KeywordIndex

        return KeywordIndex(self.settings.resolved_index_dir() / "keywords", self.store)

    @cached_property
    def reranker(self):
        if not self.settings.reranker_model:
            return None
        from sentence_transformers import CrossEncoder

        return CrossEncoder(self.settings.reranker_model, device="cpu")

    @cached_property
    def extractive(self):
        from .answering.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(self.embeddings, self.sentence_vectors, min_evidence=self.settings.min_evidence)

    @cached_property
    def sentence_vectors(self):
        from .answering.sentence_vectors import SentenceVectors

        return SentenceVectors(self.store, self.embeddings)

    @cached_property
    def chat_model(self):
        from langchain_openai import ChatOpenAI

        s = self.settings
        return ChatOpenAI(
            base_url=s.llm_base_url, model=s.llm_model, api_key=s.llm_api_key, timeout=s.llm_timeout, max_retries=0, temperature=0
        )

    @cached_property
    def answerer(self):
        """The LLM backend when an endpoint is configured, else the offline extractive one."""
        s = self.settings
        if not (s.llm_base_url and s.llm_model):
            return self.extractive
        from .answering.llm import LLMAnswerer

        return LLMAnswerer(self.chat_model, self.extractive, timeout=s.llm_timeout)

    @cached_property
    def chain(self):
        from .answering.chain import AskChain
        from .criteria.chat import SelfCheck

        return AskChain(self.retriever, self.answerer, top_k=self.settings.top_k, self_check=SelfCheck(self.checker))

    @cached_property
    def ingestor(self):
        from .ingest.ingestor import Ingestor

        return Ingestor(self.settings, self.store, self.embeddings, self.keywords, self.sentence_vectors, self.criteria_store)

    @cached_property
    def criteria_store(self):
        from .criteria.store import CriteriaStore

        return CriteriaStore(self.store.client, f"{self.settings.collection}_criteria")

    @cached_property
    def checker(self):
        from .criteria.check import Checker

        return Checker(self.criteria_store, self.store)


def build_assistant(settings: Settings | None = None) -> Assistant:
    return Assistant(settings)
