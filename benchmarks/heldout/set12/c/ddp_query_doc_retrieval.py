import os
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

VOCAB = 2000
DIM = 32


def build_pairs(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    pairs = []
    for _ in range(n):
        topic = torch.randint(0, 40, (1,), generator=g).item()
        topic_words = torch.arange(topic * 50, topic * 50 + 50)
        q_len = int(torch.randint(2, 6, (1,), generator=g))
        d_len = int(torch.randint(8, 400, (1,), generator=g))
        query = topic_words[torch.randint(0, 50, (q_len,), generator=g)]
        doc = torch.cat([topic_words[torch.randint(0, 50, (d_len // 2,), generator=g)],
                         torch.randint(0, VOCAB, (d_len - d_len // 2,), generator=g)])
        pairs.append((query, doc))
    pairs.sort(key=lambda p: len(p[1]))
    return pairs


def to_bag(seqs):
    offsets = torch.tensor([0] + [len(s) for s in seqs[:-1]]).cumsum(0)
    return torch.cat(seqs), offsets


class DualEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.query_emb = nn.EmbeddingBag(VOCAB, DIM, mode="sum")
        self.doc_emb = nn.EmbeddingBag(VOCAB, DIM, mode="sum")
        nn.init.normal_(self.query_emb.weight, std=0.1)
        nn.init.normal_(self.doc_emb.weight, std=0.1)

    def forward(self, q_tokens, q_offsets, d_tokens, d_offsets):
        return self.query_emb(q_tokens, q_offsets) @ self.doc_emb(d_tokens, d_offsets).T


def main():
    dist.init_process_group("gloo")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    torch.manual_seed(0)
    torch.set_num_threads(1)

    pairs = build_pairs(2048)
    shard = pairs[rank * len(pairs) // world:(rank + 1) * len(pairs) // world]
    model = DDP(DualEncoder())
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    g = torch.Generator().manual_seed(rank)

    batch = 64
    for step in range(80):
        idx = torch.randint(0, len(shard), (batch,), generator=g).tolist()
        q_tok, q_off = to_bag([shard[i][0] for i in idx])
        d_tok, d_off = to_bag([shard[i][1] for i in idx])
        scores = model(q_tok, q_off, d_tok, d_off)
        exp_scores = torch.exp(scores)
        probs = exp_scores.diagonal() / exp_scores.sum(dim=1)
        loss = -torch.log(probs).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 5 == 0:
            print(f"rank {rank} step {step} loss {loss.item():.4f} max_score {scores.max().item():.1f}", flush=True)

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
