import torch
from torch import nn
import torch.nn.functional as F
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments


class DualEncoderConfig(PretrainedConfig):
    model_type = "bow-dual-encoder"

    def __init__(self, vocab_size=500, embed_dim=64, proj_dim=32, temperature=0.01, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.embed_dim = embed_dim
        self.proj_dim = proj_dim
        self.temperature = temperature


class DualEncoder(PreTrainedModel):
    config_class = DualEncoderConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = nn.EmbeddingBag(config.vocab_size, config.embed_dim, mode="mean")
        self.proj = nn.Linear(config.embed_dim, config.proj_dim)
        self.post_init()

    def encode(self, ids):
        return F.normalize(self.proj(self.embed(ids)), dim=-1)

    def forward(self, query_ids=None, doc_ids=None, **kwargs):
        return self.encode(query_ids), self.encode(doc_ids)


class InBatchNegativesTrainer(Trainer):
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        q, d = model(**inputs)
        sim = q @ d.t() / model.config.temperature
        exp_sim = torch.exp(sim)
        probs = exp_sim.diag() / exp_sim.sum(dim=1)
        loss = -torch.log(probs).mean()
        return (loss, (q, d)) if return_outputs else loss


class QueryDocPairs(torch.utils.data.Dataset):
    def __init__(self, n_pairs=1024, vocab_size=500, q_len=6, d_len=24, seed=0):
        g = torch.Generator().manual_seed(seed)
        topics = torch.randint(0, vocab_size, (n_pairs, 4), generator=g)
        self.queries = torch.cat([topics, torch.randint(0, vocab_size, (n_pairs, q_len - 4), generator=g)], 1)
        self.docs = torch.cat([topics.repeat(1, 3), torch.randint(0, vocab_size, (n_pairs, d_len - 12), generator=g)], 1)

    def __len__(self):
        return len(self.queries)

    def __getitem__(self, i):
        return {"query_ids": self.queries[i], "doc_ids": self.docs[i]}


def main():
    torch.manual_seed(0)
    config = DualEncoderConfig()
    model = DualEncoder(config)
    args = TrainingArguments(
        output_dir="runs/dual_encoder",
        per_device_train_batch_size=32,
        learning_rate=5e-3,
        weight_decay=0.01,
        warmup_steps=5,
        max_steps=60,
        logging_steps=5,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        remove_unused_columns=False,
        dataloader_num_workers=0,
    )
    trainer = InBatchNegativesTrainer(model=model, args=args, train_dataset=QueryDocPairs())
    trainer.train()


if __name__ == "__main__":
    main()
