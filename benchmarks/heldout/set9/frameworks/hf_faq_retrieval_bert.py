import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

VOCAB = 500
SEQ = 24


class QuestionPairs(Dataset):
    """Pairs of (user question, canonical FAQ question) as token ids."""

    def __init__(self, n=512, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.query = torch.randint(5, VOCAB, (n, SEQ), generator=g)
        self.query[:, 0] = 2
        self.faq = self.query.clone()
        swap = torch.rand(n, SEQ, generator=g) < 0.25
        swap[:, 0] = False
        self.faq[swap] = torch.randint(5, VOCAB, (int(swap.sum()),), generator=g)

    def __len__(self):
        return len(self.query)

    def __getitem__(self, i):
        return {"query_ids": self.query[i], "faq_ids": self.faq[i]}


def collate(batch):
    return {k: torch.stack([b[k] for b in batch]) for k in batch[0]}


class DualEncoder(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)

    def encode(self, ids):
        out = self.bert(input_ids=ids, attention_mask=torch.ones_like(ids))
        return out.last_hidden_state[:, 0]

    def forward(self, query_ids, faq_ids):
        return self.encode(query_ids), self.encode(faq_ids)


class ContrastiveTrainer(Trainer):
    temperature = 0.05

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        q, d = model(**inputs)
        sim = torch.exp(q @ d.t() / self.temperature)
        loss = -torch.log(sim.diagonal() / sim.sum(dim=1)).mean()
        return (loss, (q, d)) if return_outputs else loss


def main():
    set_seed(0)
    config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    model = DualEncoder(config)
    args = TrainingArguments(
        output_dir="/tmp/faq_retrieval",
        per_device_train_batch_size=32,
        learning_rate=5e-5,
        max_steps=40,
        logging_steps=5,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
        remove_unused_columns=False,
    )
    trainer = ContrastiveTrainer(model=model, args=args, train_dataset=QuestionPairs(), data_collator=collate)
    trainer.train()


if __name__ == "__main__":
    main()
