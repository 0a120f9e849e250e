import argparse

import torch
import torch.nn.functional as F
from transformers import BertConfig, BertModel, Trainer, TrainingArguments


VOCAB = 300
PAD = 0


def make_pairs(n, seed):
    g = torch.Generator().manual_seed(seed)
    pairs = []
    for _ in range(n):
        plen = int(torch.randint(12, 24, (1,), generator=g))
        passage = torch.randint(5, VOCAB, (plen,), generator=g)
        keep = torch.randperm(plen, generator=g)[: max(4, plen // 3)]
        query = passage[keep.sort().values]
        pairs.append((query, passage))
    return pairs


class PairDataset(torch.utils.data.Dataset):
    def __init__(self, pairs):
        self.pairs = pairs

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, i):
        q, p = self.pairs[i]
        return {"query": q, "passage": p}


def pad_batch(seqs):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), PAD, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return ids, mask


def collate(features):
    q_ids, q_mask = pad_batch([f["query"] for f in features])
    p_ids, p_mask = pad_batch([f["passage"] for f in features])
    return {"q_ids": q_ids, "q_mask": q_mask, "p_ids": p_ids, "p_mask": p_mask}


def mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).float()
    return (hidden * m).sum(1) / m.sum(1)


class RetrievalTrainer(Trainer):
    def __init__(self, *a, temperature=0.01, **kw):
        super().__init__(*a, **kw)
        self.temperature = temperature

    def encode(self, model, ids, mask):
        out = model(input_ids=ids, attention_mask=mask)
        return F.normalize(mean_pool(out.last_hidden_state, mask), dim=-1)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        q = self.encode(model, inputs["q_ids"], inputs["q_mask"])
        p = self.encode(model, inputs["p_ids"], inputs["p_mask"])
        scores = q @ p.T / self.temperature
        exp_scores = torch.exp(scores)
        probs = exp_scores / exp_scores.sum(dim=1, keepdim=True)
        loss = -torch.log(probs.diagonal()).mean()
        return (loss, {"scores": scores}) if return_outputs else loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--temperature", type=float, default=0.01)
    args = ap.parse_args()

    torch.manual_seed(0)
    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=64, pad_token_id=PAD)
    model = BertModel(config, add_pooling_layer=False)

    train_args = TrainingArguments(
        output_dir="runs/retriever",
        per_device_train_batch_size=32,
        learning_rate=args.lr,
        warmup_steps=5,
        max_steps=args.steps,
        logging_steps=5,
        save_strategy="no",
        remove_unused_columns=False,
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = RetrievalTrainer(model=model, args=train_args,
                               train_dataset=PairDataset(make_pairs(1200, seed=3)),
                               data_collator=collate, temperature=args.temperature)
    trainer.train()


if __name__ == "__main__":
    main()
