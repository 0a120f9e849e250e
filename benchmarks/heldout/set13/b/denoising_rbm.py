import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class RBM(nn.Module):
    def __init__(self, n_vis=784, n_hin=128, k=1):
        super().__init__()
        self.W = nn.Parameter(torch.randn(n_hin, n_vis) * 1e-2)
        self.v_bias = nn.Parameter(torch.zeros(n_vis))
        self.h_bias = nn.Parameter(torch.zeros(n_hin))
        self.k = k

    def sample_from_p(self, p):
        return F.relu(torch.sign(p - torch.rand_like(p)))

    def v_to_h(self, v):
        p_h = torch.sigmoid(F.linear(v, self.W, self.h_bias))
        return p_h, self.sample_from_p(p_h)

    def h_to_v(self, h):
        p_v = torch.sigmoid(F.linear(h, self.W.t(), self.v_bias))
        return p_v, self.sample_from_p(p_v)

    def forward(self, v):
        pre_h1, h1 = self.v_to_h(v)
        h_ = h1
        for _ in range(self.k):
            pre_v_, v_ = self.h_to_v(h_)
            pre_h_, h_ = self.v_to_h(v_)
        return v, v_

    def free_energy(self, v):
        vbias_term = v.mv(self.v_bias)
        wx_b = F.linear(v, self.W, self.h_bias)
        temp = torch.log(torch.exp(wx_b) + 1)
        hidden_term = temp.sum(1)
        return (-hidden_term - vbias_term).mean()


def make_glyphs(n=2000, side=28):
    protos = (torch.rand(10, side * side) > 0.6).float()
    labels = torch.randint(0, 10, (n,))
    x = protos[labels]
    flip = (torch.rand_like(x) < 0.05).float()
    return (x + flip) % 2


data = make_glyphs()
rbm = RBM()
train_op = torch.optim.SGD(rbm.parameters(), lr=0.1, momentum=0.9)

batch_size = 64
for epoch in range(4):
    loss_ = []
    perm = torch.randperm(len(data))
    for i in range(0, len(data), batch_size):
        sample_data = data[perm[i:i + batch_size]]
        noisy = torch.where(torch.rand_like(sample_data) < 0.1, 1 - sample_data, sample_data)
        v, v1 = rbm(noisy)
        loss = rbm.free_energy(v) - rbm.free_energy(v1)
        loss_.append(loss.item())
        train_op.zero_grad()
        loss.backward()
        train_op.step()
    print("Training loss for {} epoch: {}".format(epoch, sum(loss_) / len(loss_)))
